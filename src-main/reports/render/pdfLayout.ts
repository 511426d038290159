/**
 * A small layout engine over pdfkit for the PDF reports (docs/architecture.md "Reports"): A4 landscape pages with a running
 * header and a "Page i of n" footer, a vertical cursor that breaks pages before anything would cross the bottom
 * margin, tables that paginate row by row (header repeated, group headers kept with their first row, no row
 * ever split), key/value grids, and charts: the SVG of a shared chart option (./svgCharts.ts) drawn as vector
 * paths and text by svg-to-pdfkit — nothing rasterised. Text uses only the standard Helvetica family (not embedded)
 * and goes through format.pdfText, so characters outside WinAnsi never reach the font.
 *
 * All lengths are PDF points (1/72 inch).
 *
 * Tables, grids and charts all move the same page cursor and break pages by the same rule, so they live beside that
 * cursor rather than in files that would each reach into it.
 */
import PDFDocument from 'pdfkit';
import SVGtoPDF from 'svg-to-pdfkit';
import { pdfText } from '../format';

/** A4 landscape, points. */
export const PAGE_WIDTH = 841.89;
export const PAGE_HEIGHT = 595.28;
/** Page margin on every side, points. */
export const PAGE_MARGIN = 34;
/** Height reserved at the bottom for the footer, and at the top of continuation pages for the running header. */
export const FOOTER_HEIGHT = 16;
export const RUNNING_HEADER_HEIGHT = 18;

export const FONT = 'Helvetica';
export const BOLD = 'Helvetica-Bold';
export const ITALIC = 'Helvetica-Oblique';
export const INK = '#1d2330';
export const MUTED = '#5b6474';
export const LINE = '#d0d6de';
export const ACCENT = '#0b5fa5';
export const HEAD_FILL = '#e8edf3';
export const ZEBRA_FILL = '#f6f8fa';

export type Align = 'left' | 'right' | 'center';

export interface TextStyle {
  font?: string;
  size?: number;
  color?: string;
}

/** One table cell: text with an optional second (smaller, muted) line, colour, background and bar. */
export interface PdfCell {
  text: string;
  sub?: string | null;
  color?: string;
  fill?: string;
  bold?: boolean;
  /** horizontal bar behind nothing, drawn left in the cell: fraction of the cell width 0..1, with its colour */
  bar?: { frac: number; color: string };
}

export interface PdfColumn {
  header: string;
  /** relative width; the table scales all widths to its total width */
  width: number;
  align?: Align;
}

export type PdfRow =
  | { type: 'row'; cells: (string | PdfCell)[]; bold?: boolean; shade?: string }
  | { type: 'group'; label: string; right?: string }
  | { type: 'total'; cells: (string | PdfCell)[] };

export interface TableOptions {
  fontSize?: number;
  /** left edge and total width (default: the content box) */
  x?: number;
  width?: number;
  zebra?: boolean;
  /** text of the row shown after the header on continuation pages */
  continued?: string;
  /** draw cell borders in white (heatmaps) instead of horizontal rules */
  grid?: boolean;
}

export interface ChartBox {
  x: number;
  y: number;
  w: number;
  h: number;
}

/** A PDF report being laid out; call {@link PdfLayout.finish} to get the bytes. */
export class PdfLayout {
  readonly doc: PDFKit.PDFDocument;
  readonly left = PAGE_MARGIN;
  readonly right = PAGE_WIDTH - PAGE_MARGIN;
  readonly top = PAGE_MARGIN;
  readonly bottom = PAGE_HEIGHT - PAGE_MARGIN - FOOTER_HEIGHT;
  readonly width = PAGE_WIDTH - 2 * PAGE_MARGIN;
  y = PAGE_MARGIN;
  private readonly chunks: Buffer[] = [];
  private readonly done: Promise<Buffer>;

  /**
   * @param info document metadata (title shown in the running header of continuation pages)
   * @param footerLeft text at the left of every page's footer
   */
  constructor(
    private readonly info: { title: string; subject?: string; created?: Date },
    private readonly footerLeft: string,
  ) {
    this.doc = new PDFDocument({
      size: 'A4',
      layout: 'landscape',
      margins: { top: PAGE_MARGIN, left: PAGE_MARGIN, right: PAGE_MARGIN, bottom: 4 },
      bufferPages: true,
      autoFirstPage: true,
      info: {
        Title: pdfText(info.title),
        Author: 'HDRL Desk',
        Creator: 'HDRL Desk',
        ...(info.subject ? { Subject: pdfText(info.subject) } : {}),
        ...(info.created ? { CreationDate: info.created } : {}),
      },
    });
    this.doc.on('data', (c: Buffer) => this.chunks.push(c));
    this.done = new Promise((resolve, reject) => {
      this.doc.on('end', () => resolve(Buffer.concat(this.chunks)));
      this.doc.on('error', reject);
    });
    this.doc.font(FONT);
  }

  /** Room left on the page below the cursor, points. */
  get room(): number {
    return this.bottom - this.y;
  }

  /** Start a new page with the running header; the cursor goes below it. */
  newPage(): void {
    this.doc.addPage();
    this.y = this.top;
    this.textAt(this.info.title, this.left, this.y, { font: BOLD, size: 8, color: MUTED });
    this.textAt('HDRL Desk', this.right, this.y, { font: BOLD, size: 8, color: ACCENT }, 'right');
    this.hline(this.y + 11, LINE, 0.6);
    this.y += RUNNING_HEADER_HEIGHT;
  }

  /** Make sure `h` points fit below the cursor, else start a new page. @returns true when a page was added */
  ensure(h: number): boolean {
    if (this.y + h > this.bottom + 1e-6) {
      this.newPage();
      return true;
    }
    return false;
  }

  space(h: number): void {
    this.y = Math.min(this.y + h, this.bottom);
  }

  style(s: TextStyle = {}): void {
    this.doc
      .font(s.font ?? FONT)
      .fontSize(s.size ?? 9)
      .fillColor(s.color ?? INK);
  }

  /** Width of text in a style, points. */
  measure(text: string, s: TextStyle = {}): number {
    this.style(s);
    return this.doc.widthOfString(pdfText(text));
  }

  /** Text cut to fit `maxWidth` (with an ellipsis) in the current style. */
  fit(text: string, maxWidth: number): string {
    const t = pdfText(text);
    if (this.doc.widthOfString(t) <= maxWidth) return t;
    const ell = '\u2026';
    let lo = 0;
    let hi = t.length;
    while (lo < hi) {
      const mid = Math.ceil((lo + hi) / 2);
      if (this.doc.widthOfString(t.slice(0, mid) + ell) <= maxWidth) lo = mid;
      else hi = mid - 1;
    }
    return lo > 0 ? t.slice(0, lo) + ell : '';
  }

  /**
   * One line of text with its top at `y`, anchored at x (left edge, right edge or centre), never wrapped;
   * cut with an ellipsis when `maxWidth` is given and exceeded.
   */
  textAt(text: string, x: number, y: number, s: TextStyle = {}, align: Align = 'left', maxWidth?: number): void {
    this.style(s);
    const t = maxWidth === undefined ? pdfText(text) : this.fit(text, maxWidth);
    const w = this.doc.widthOfString(t);
    const x0 = align === 'left' ? x : align === 'right' ? x - w : x - w / 2;
    this.doc.text(t, x0, y, { lineBreak: false });
  }

  /** Height of wrapped text in a style and width. */
  heightOf(text: string, width: number, s: TextStyle = {}): number {
    this.style(s);
    return this.doc.heightOfString(pdfText(text), { width });
  }

  /** Wrapped paragraph at the cursor (kept on one page), then the cursor moves below it. */
  paragraph(text: string, s: TextStyle = {}, indent = 0, gapAfter = 3): void {
    const w = this.width - indent;
    const h = this.heightOf(text, w, s);
    this.ensure(h);
    this.style(s);
    this.doc.text(pdfText(text), this.left + indent, this.y, { width: w });
    this.y += h + gapAfter;
  }

  hline(y: number, color = LINE, width = 0.5, x0 = this.left, x1 = this.right): void {
    this.doc.save().moveTo(x0, y).lineTo(x1, y).lineWidth(width).strokeColor(color).stroke().restore();
  }

  /** Title block of the first page: title, subtitle, brand, accent rule. */
  titleBlock(title: string, subtitle: string): void {
    this.textAt(title, this.left, this.y, { font: BOLD, size: 18 }, 'left', this.width - 90);
    this.textAt('HDRL Desk', this.right, this.y + 4, { font: BOLD, size: 9, color: ACCENT }, 'right');
    this.textAt(subtitle, this.left, this.y + 23, { size: 10, color: MUTED }, 'left', this.width);
    this.hline(this.y + 39, ACCENT, 2);
    this.y += 48;
  }

  /** Section heading, kept with at least `keepWith` points of what follows. */
  heading(text: string, keepWith = 60): void {
    if (this.y > this.top + RUNNING_HEADER_HEIGHT + 1) this.space(12);
    this.ensure(18 + keepWith);
    this.textAt(text, this.left, this.y, { font: BOLD, size: 11.5 }, 'left', this.width);
    this.hline(this.y + 15, LINE, 0.6);
    this.y += 20;
  }

  /** Small bold sub-heading, kept with `keepWith` points. */
  subheading(text: string, keepWith = 40): void {
    this.ensure(14 + keepWith);
    this.textAt(text, this.left, this.y, { font: BOLD, size: 9.5 }, 'left', this.width);
    this.y += 14;
  }

  /**
   * Key/value pairs in `columns` columns (key muted above nothing, key and value on one line; values wrap inside
   * their column). Rows never split across pages.
   */
  keyValues(pairs: readonly [string, string][], columns = 3, size = 8, keyWidth = 78): void {
    const gap = 14;
    const colW = (this.width - gap * (columns - 1)) / columns;
    const valW = colW - keyWidth - 4;
    for (let i = 0; i < pairs.length; i += columns) {
      const row = pairs.slice(i, i + columns);
      const h = Math.max(...row.map(([, v]) => this.heightOf(v, valW, { size }))) + 3;
      this.ensure(h);
      row.forEach(([k, v], j) => {
        const x = this.left + j * (colW + gap);
        this.textAt(k, x, this.y, { size, color: MUTED }, 'left', keyWidth - 2);
        this.style({ size });
        this.doc.text(pdfText(v), x + keyWidth, this.y, { width: valW });
      });
      this.y += h;
      this.hline(this.y - 1.5, '#e6e9ee', 0.4);
    }
  }

  private drawCell(
    c: string | PdfCell,
    x: number,
    w: number,
    rowY: number,
    rowH: number,
    col: PdfColumn,
    size: number,
    boldRow: boolean,
    hasSub: boolean,
  ): void {
    const cell: PdfCell = typeof c === 'string' ? { text: c } : c;
    const pad = 3.5;
    if (cell.fill) this.doc.save().rect(x, rowY, w, rowH).fill(cell.fill).restore();
    if (cell.bar && cell.bar.frac > 0) {
      const bw = Math.min(1, cell.bar.frac) * (w - 2 * pad);
      this.doc
        .save()
        .rect(x + pad, rowY + rowH / 2 - 2.5, bw, 5)
        .fill(cell.bar.color)
        .restore();
    }
    const align = col.align ?? 'left';
    const ax = align === 'left' ? x + pad : align === 'right' ? x + w - pad : x + w / 2;
    const font = cell.bold || boldRow ? BOLD : FONT;
    const mainY = hasSub ? rowY + 2.5 : rowY + (rowH - size) / 2 + 0.5;
    if (cell.text) this.textAt(cell.text, ax, mainY, { font, size, color: cell.color ?? INK }, align, w - 2 * pad);
    if (hasSub && cell.sub)
      this.textAt(cell.sub, ax, mainY + size + 1.5, { size: size - 1.5, color: MUTED }, align, w - 2 * pad);
  }

  /** Header lines of a column title wrapped to the column width (at most 3 lines). */
  private headerLines(text: string, w: number, size: number): string[] {
    this.style({ font: BOLD, size });
    const words = pdfText(text).split(' ');
    const lines: string[] = [];
    let cur = '';
    for (const word of words) {
      const next = cur ? `${cur} ${word}` : word;
      if (cur && this.doc.widthOfString(next) > w) {
        lines.push(cur);
        cur = word;
      } else cur = next;
    }
    if (cur) lines.push(cur);
    return lines.slice(0, 3);
  }

  private tableGeometry(columns: readonly PdfColumn[], rows: readonly PdfRow[], opts: TableOptions) {
    const size = opts.fontSize ?? 8;
    const total = opts.width ?? this.width;
    const sumW = columns.reduce((s, c) => s + c.width, 0);
    const widths = columns.map((c) => (c.width / sumW) * total);
    const hasSub = rows.some((r) => r.type !== 'group' && r.cells.some((c) => typeof c !== 'string' && !!c.sub));
    const rowH = hasSub ? size * 2 + 6 : size + 7;
    const groupH = size + 8;
    const headLines = columns.map((c, i) => this.headerLines(c.header, widths[i]! - 7, size));
    const headH = Math.max(...headLines.map((l) => l.length)) * (size + 1.5) + 6;
    return { size, total, widths, hasSub, rowH, groupH, headLines, headH };
  }

  /** Height a table would take without page breaks, points. */
  tableHeight(columns: readonly PdfColumn[], rows: readonly PdfRow[], opts: TableOptions = {}): number {
    const g = this.tableGeometry(columns, rows, opts);
    return g.headH + rows.reduce((s, r) => s + (r.type === 'group' ? g.groupH : g.rowH), 0);
  }

  /**
   * A table at the cursor. Paginates row by row: the header row is repeated on every page, a group row is
   * kept with the row after it, a total row never starts a page alone, and a row is never split. Cell text that does not fit is cut with an ellipsis.
   */
  table(columns: readonly PdfColumn[], rows: readonly PdfRow[], opts: TableOptions = {}): void {
    const { size, total, widths, hasSub, rowH, groupH, headLines, headH } = this.tableGeometry(columns, rows, opts);
    const x0 = opts.x ?? this.left;
    const xs = widths.map((_, i) => x0 + widths.slice(0, i).reduce((s, w) => s + w, 0));

    const drawHeader = (continued: boolean): void => {
      this.doc.save().rect(x0, this.y, total, headH).fill(HEAD_FILL).restore();
      columns.forEach((c, i) => {
        const align = c.align ?? 'left';
        const lines = headLines[i]!;
        const ax =
          align === 'left' ? xs[i]! + 3.5 : align === 'right' ? xs[i]! + widths[i]! - 3.5 : xs[i]! + widths[i]! / 2;
        const top = this.y + headH - 3 - lines.length * (size + 1.5);
        lines.forEach((l, j) =>
          this.textAt(l, ax, top + j * (size + 1.5), { font: BOLD, size }, align, widths[i]! - 7),
        );
      });
      this.hline(this.y + headH, '#8a94a6', 0.8, x0, x0 + total);
      this.y += headH;
      if (continued && opts.continued) {
        this.textAt(opts.continued, x0 + 3.5, this.y + 2, { font: ITALIC, size: size - 1, color: MUTED });
        this.y += size + 3;
      }
    };

    this.ensure(headH + (rows[0]?.type === 'group' ? groupH : 0) + rowH);
    drawHeader(false);
    let zebra = 0;
    rows.forEach((r, idx) => {
      const h = r.type === 'group' ? groupH : rowH;
      // a group row stays with the row after it, and the last row before a total stays with the total
      const next = rows[idx + 1];
      const keep = (r.type === 'group' && next ? rowH : 0) + (r.type !== 'group' && next?.type === 'total' ? rowH : 0);
      if (this.y + h + keep > this.bottom + 1e-6) {
        this.newPage();
        drawHeader(true);
      }
      if (r.type === 'group') {
        this.doc.save().rect(x0, this.y, total, groupH).fill('#eef1f5').restore();
        this.textAt(r.label, x0 + 3.5, this.y + (groupH - size) / 2 + 0.5, { font: BOLD, size }, 'left', total * 0.6);
        if (r.right)
          this.textAt(
            r.right,
            x0 + total - 3.5,
            this.y + (groupH - size) / 2 + 0.5,
            { font: BOLD, size, color: MUTED },
            'right',
            total * 0.38,
          );
        this.hline(this.y + groupH, '#b9c1cc', 0.5, x0, x0 + total);
        this.y += groupH;
        zebra = 0;
        return;
      }
      const isTotal = r.type === 'total';
      const shade = r.type === 'row' ? r.shade : undefined;
      if (shade) this.doc.save().rect(x0, this.y, total, h).fill(shade).restore();
      else if ((opts.zebra ?? true) && !isTotal && zebra % 2 === 1)
        this.doc.save().rect(x0, this.y, total, h).fill(ZEBRA_FILL).restore();
      if (isTotal) this.hline(this.y, '#8a94a6', 0.9, x0, x0 + total);
      r.cells.forEach((c, i) => {
        if (i < columns.length)
          this.drawCell(
            c,
            xs[i]!,
            widths[i]!,
            this.y,
            h,
            columns[i]!,
            size,
            isTotal || (r.type === 'row' && !!r.bold),
            hasSub,
          );
      });
      if (opts.grid) {
        this.doc.save().lineWidth(0.8).strokeColor('#ffffff');
        xs.forEach((x) => this.doc.moveTo(x, this.y).lineTo(x, this.y + h));
        this.doc
          .moveTo(x0, this.y + h)
          .lineTo(x0 + total, this.y + h)
          .stroke()
          .restore();
      } else {
        this.hline(this.y + h, '#e3e7ec', 0.4, x0, x0 + total);
      }
      this.y += h;
      zebra++;
    });
  }

  /**
   * An SVG drawn into a box as vector paths and text, its viewBox scaled to fit the box (points).
   * Its text goes through format.pdfText first, as all text does, and every font family becomes Helvetica.
   * Moves nothing: the caller owns the cursor.
   */
  svg(svg: string, box: ChartBox): void {
    const fitted = svg
      // the root's own size would win over the box: without it the viewBox is fitted to the box
      .replace(/^<svg\b[^>]*>/, (root) => root.replace(/\s(?:width|height)="[^"]*"/g, ''))
      .replace(/(<text\b[^>]*>)([^<]*)(<\/text>)/g, (_m, open: string, t: string, close: string) => {
        return open + pdfText(t) + close;
      });
    SVGtoPDF(this.doc as unknown as Parameters<typeof SVGtoPDF>[0], fitted, box.x, box.y, {
      width: box.w,
      height: box.h,
      assumePt: true,
      fontCallback: (_family, bold) => (bold ? BOLD : FONT),
    });
    this.doc.font(FONT);
  }

  /** Footers on every page, then the PDF bytes. */
  async finish(): Promise<Buffer> {
    const range = this.doc.bufferedPageRange();
    for (let i = range.start; i < range.start + range.count; i++) {
      this.doc.switchToPage(i);
      const fy = PAGE_HEIGHT - PAGE_MARGIN - FOOTER_HEIGHT + 7;
      this.hline(fy - 3, LINE, 0.5);
      this.textAt(this.footerLeft, this.left, fy, { size: 7, color: MUTED }, 'left', this.width - 80);
      this.textAt(`Page ${i + 1} of ${range.count}`, this.right, fy, { size: 7, color: MUTED }, 'right');
    }
    this.doc.end();
    return this.done;
  }
}
