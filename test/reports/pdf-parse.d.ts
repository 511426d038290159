/** Types of pdf-parse v1's library entry (the package ships none); imported directly to skip its debug self-test. */
declare module 'pdf-parse/lib/pdf-parse.js' {
  interface PdfTextItem {
    str: string;
    /** [a, b, c, d, e, f]: e, f = x, y of the baseline origin in page units (y up) */
    transform: number[];
    width: number;
    height: number;
  }
  interface PdfPageProxy {
    getTextContent(opts?: {
      normalizeWhitespace?: boolean;
      disableCombineTextItems?: boolean;
    }): Promise<{ items: PdfTextItem[] }>;
    getViewport(scale: number): { width: number; height: number };
    pageNumber: number;
  }
  interface PdfParseOptions {
    pagerender?: (page: PdfPageProxy) => Promise<string>;
    max?: number;
    version?: string;
  }
  interface PdfParseResult {
    numpages: number;
    numrender: number;
    info: Record<string, unknown> | null;
    text: string;
    version: string;
  }
  function pdfParse(data: Uint8Array, options?: PdfParseOptions): Promise<PdfParseResult>;
  export default pdfParse;
}
