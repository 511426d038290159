import type { RouteRecordRaw } from 'vue-router';

/** The desk's views, in navigation order (docs/architecture.md "The desk"). */
export const routes: (RouteRecordRaw & { meta: { title: string; key: string } })[] = [
  { path: '/', name: 'today', component: () => import('./views/TodayView.vue'), meta: { title: 'Today', key: '1' } },
  {
    path: '/books',
    name: 'books',
    component: () => import('./views/BookView.vue'),
    meta: { title: 'Books', key: '0' },
  },
  {
    path: '/regimes',
    name: 'regimes',
    component: () => import('./views/RegimesView.vue'),
    meta: { title: 'Regimes', key: '2' },
  },
  {
    path: '/rebounds',
    name: 'rebounds',
    component: () => import('./views/ReboundsView.vue'),
    meta: { title: 'Rebounds', key: '3' },
  },
  {
    path: '/agents',
    name: 'agents',
    component: () => import('./views/AgentsView.vue'),
    meta: { title: 'Agents', key: '4' },
  },
  {
    path: '/backtests',
    name: 'backtests',
    component: () => import('./views/BacktestsView.vue'),
    meta: { title: 'Backtests', key: '5' },
  },
  {
    path: '/training',
    name: 'training',
    component: () => import('./views/TrainingView.vue'),
    meta: { title: 'Training', key: '6' },
  },
  { path: '/data', name: 'data', component: () => import('./views/DataView.vue'), meta: { title: 'Data', key: '7' } },
  {
    path: '/reports',
    name: 'reports',
    component: () => import('./views/ReportsView.vue'),
    meta: { title: 'Reports', key: '8' },
  },
  {
    path: '/about',
    name: 'about',
    component: () => import('./views/AboutView.vue'),
    meta: { title: 'About', key: '9' },
  },
];
