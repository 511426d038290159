/**
 * Reads a PDF back for tests with pdf-parse (pdf.js): per page, the text lines (items on the same baseline
 * joined with ' | ', so table cells stay apart) and every text item's box, to check nothing crosses a page edge.
 */
import pdfParse from 'pdf-parse/lib/pdf-parse.js';

export interface PdfItemBox {
  page: number;
  str: string;
  x: number;
  /** baseline y measured from the TOP of the page */
  y: number;
  width: number;
  pageWidth: number;
  pageHeight: number;
}

export interface PdfReadBack {
  pages: number;
  /** lines of all pages, in reading order */
  lines: string[];
  items: PdfItemBox[];
  info: Record<string, unknown> | null;
}

/**
 * Read a PDF back. The bytes go to pdf-parse as a plain Uint8Array copy: its bundled pdf.js 1.10 keeps a Node
 * Buffer as it is and then misreads some files ('bad XRef entry' on a valid 2 kB one-page report that poppler
 * and pdf.js given a Uint8Array read cleanly).
 */
export async function readPdf(buf: Buffer): Promise<PdfReadBack> {
  const items: PdfItemBox[] = [];
  const lines: string[] = [];
  const res = await pdfParse(new Uint8Array(buf), {
    pagerender: async (page) => {
      const vp = page.getViewport(1);
      const tc = await page.getTextContent({ normalizeWhitespace: false, disableCombineTextItems: false });
      const byY = new Map<number, { x: number; str: string }[]>();
      for (const it of tc.items) {
        const x = it.transform[4]!;
        const yUp = it.transform[5]!;
        items.push({
          page: page.pageNumber,
          str: it.str,
          x,
          y: vp.height - yUp,
          width: it.width,
          pageWidth: vp.width,
          pageHeight: vp.height,
        });
        const key = Math.round(yUp * 10) / 10;
        if (!byY.has(key)) byY.set(key, []);
        byY.get(key)!.push({ x, str: it.str });
      }
      const ys = [...byY.keys()].sort((a, b) => b - a);
      for (const y of ys) {
        const cells = byY
          .get(y)!
          .sort((a, b) => a.x - b.x)
          .map((c) => c.str)
          .filter((s) => s.trim() !== '');
        if (cells.length) lines.push(cells.join(' | '));
      }
      return '';
    },
  });
  return { pages: res.numpages, lines, items, info: res.info };
}
