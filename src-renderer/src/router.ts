import { createRouter, createWebHashHistory } from 'vue-router';
import { routes } from './routes';

export { routes };
export const router = createRouter({ history: createWebHashHistory(), routes });
