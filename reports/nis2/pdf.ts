/**
 * Renders the NIS2 Article 21 report to PDF with pdfkit, from the view model only (./model.ts): no catalog
 * lookups, no clock, no I/O. Layout: A4, running header and "page X of Y" footer on every page, tables that
 * repeat their header row after a page break, hashes in a monospace font on lines of their own.
 *
 * pdfkit lays out text at roughly 0.1 ms per line, so a 1,000-host fleet's ~60,000 evidence references cannot
 * all be printed within the report's time budget, nor read by anyone. Each section lists its non-passing
 * evidence first and up to `evidencePerControl` references per control; Annex A lists up to
 * `evidenceIndexLimit` entries (non-passing first) and says how many the complete index in the JSON twin has.
 * The JSON twin's SHA-256 is printed in the identification block, which binds the two (docs/adr/0600).
 */
import PDFDocument from "pdfkit";
import { sha256Hex } from "../../evidence/canonical.js";
import type { Nis2EvidenceRef, Nis2ReportModel, Nis2Status } from "../../schemas/generated/nis2-report.js";
import { nis2ReportJson } from "./model.js";

export interface Nis2PdfOptions {
  /** Evidence references printed per control in the point sections (the rest are in the JSON twin). */
  evidencePerControl?: number;
  /** Entries printed in Annex A, non-passing first. */
  evidenceIndexLimit?: number;
  /** Hosts named in a finding before "and N more". */
  hostsPerFinding?: number;
}

const DEFAULTS: Required<Nis2PdfOptions> = {
  evidencePerControl: 12,
  evidenceIndexLimit: 2000,
  hostsPerFinding: 12,
};

const PAGE = { width: 595.28, height: 841.89 };
const MARGIN = { top: 62, bottom: 56, left: 50, right: 50 };
const CONTENT_WIDTH = PAGE.width - MARGIN.left - MARGIN.right;

const STATUS_LABEL: Record<Nis2Status, string> = {
  compliant: "Compliant",
  "compliant-with-waivers": "Compliant with waivers",
  "non-compliant": "Non-compliant",
  "insufficient-evidence": "Insufficient evidence",
  "documents-only": "Documents only",
  "not-applicable": "Not applicable",
};
const STATUS_COLOR: Record<Nis2Status, string> = {
  compliant: "#2e7d32",
  "compliant-with-waivers": "#00838f",
  "non-compliant": "#c62828",
  "insufficient-evidence": "#ef6c00",
  "documents-only": "#757575",
  "not-applicable": "#9e9e9e",
};
const SEVERITY_COLOR: Record<string, string> = {
  critical: "#8e0000",
  high: "#c62828",
  medium: "#ef6c00",
  low: "#616161",
};

interface Column {
  header: string;
  width: number;
  mono?: boolean;
  align?: "left" | "right" | "center";
}

type Doc = PDFKit.PDFDocument;

/** Non-passing evidence first, then by host, source and id: the order a reader needs. */
function evidencePriority(a: { status: string; host: string; evidenceId: string }, b: typeof a): number {
  const rank = (s: string) => (s === "pass" || s === "not-applicable" ? 1 : 0);
  return (
    rank(a.status) - rank(b.status) ||
    (a.host < b.host ? -1 : a.host > b.host ? 1 : 0) ||
    (a.evidenceId < b.evidenceId ? -1 : a.evidenceId > b.evidenceId ? 1 : 0)
  );
}

/**
 * The number of lines of a cell when none of its lines can wrap at `width`, else 0 (measure it properly). The
 * bound is conservative: no Helvetica glyph is wider than 1.02 em, every Courier glyph is 0.6 em.
 */
function fitsWithoutWrapping(text: string, size: number, width: number, mono: boolean): number {
  const em = mono ? 0.6 : 1.02;
  const lines = text.split("\n");
  for (const line of lines) if (line.length * size * em > width) return 0;
  return lines.length;
}

/** pdfkit's line height of the standard fonts at a size (ascender - descender + gap, ~1.156 em for Helvetica). */
function lineHeight(size: number): number {
  return size * 1.16;
}

/** A thin layout helper: a y cursor, page breaks, headings, paragraphs and tables. */
class Layout {
  y = MARGIN.top;
  constructor(readonly doc: Doc) {}

  get bottom(): number {
    return PAGE.height - MARGIN.bottom;
  }

  newPage(): void {
    this.doc.addPage();
    this.y = MARGIN.top;
  }

  /** Starts a new page unless `height` fits below the cursor. */
  ensure(height: number): void {
    if (this.y + height > this.bottom) this.newPage();
  }

  heading(text: string, level: 1 | 2 | 3 = 1): void {
    const size = level === 1 ? 16 : level === 2 ? 12.5 : 10.5;
    this.ensure(size * 3 + 30);
    if (level === 1 && this.y > MARGIN.top) this.y += 8;
    this.doc.font("Helvetica-Bold").fontSize(size).fillColor("#0d2b45");
    this.doc.text(text, MARGIN.left, this.y, { width: CONTENT_WIDTH });
    this.y = this.doc.y + (level === 1 ? 4 : 3);
    if (level === 1) {
      this.doc
        .moveTo(MARGIN.left, this.y)
        .lineTo(MARGIN.left + CONTENT_WIDTH, this.y)
        .lineWidth(0.8)
        .strokeColor("#0d2b45")
        .stroke();
      this.y += 6;
    }
    this.doc.fillColor("black");
  }

  paragraph(
    text: string,
    options: { size?: number; bold?: boolean; color?: string; indent?: number } = {},
  ): void {
    const size = options.size ?? 9;
    const indent = options.indent ?? 0;
    this.doc.font(options.bold ? "Helvetica-Bold" : "Helvetica").fontSize(size);
    const height = this.doc.heightOfString(text, { width: CONTENT_WIDTH - indent });
    this.ensure(Math.min(height, 200) + 4);
    this.doc.fillColor(options.color ?? "black").text(text, MARGIN.left + indent, this.y, {
      width: CONTENT_WIDTH - indent,
    });
    this.doc.fillColor("black");
    this.y = this.doc.y + 4;
  }

  bullets(items: readonly string[], size = 8.5): void {
    for (const item of items) {
      this.doc.font("Helvetica").fontSize(size);
      const h = this.doc.heightOfString(item, { width: CONTENT_WIDTH - 14 });
      this.ensure(h + 3);
      this.doc.text("-", MARGIN.left + 3, this.y, { lineBreak: false });
      this.doc.text(item, MARGIN.left + 14, this.y, { width: CONTENT_WIDTH - 14 });
      this.y = this.doc.y + 2;
    }
    this.y += 2;
  }

  /** Label/value lines; values in `mono` print in Courier (hashes, store paths), wrapped within the column. */
  keyValues(rows: readonly [string, string, boolean?][], labelWidth = 150): void {
    const valueWidth = CONTENT_WIDTH - labelWidth;
    for (const [label, value, mono] of rows) {
      this.doc.font(mono ? "Courier" : "Helvetica").fontSize(mono ? 8.3 : 9);
      const h = Math.max(this.doc.heightOfString(value, { width: valueWidth }), 11);
      this.ensure(h + 3);
      this.doc
        .font("Helvetica-Bold")
        .fontSize(9)
        .text(label, MARGIN.left, this.y, { width: labelWidth - 6 });
      this.doc
        .font(mono ? "Courier" : "Helvetica")
        .fontSize(mono ? 8.3 : 9)
        .text(value, MARGIN.left + labelWidth, this.y, { width: valueWidth });
      this.y = Math.max(this.doc.y, this.y + 11) + 3;
    }
    this.y += 3;
  }

  /**
   * A table whose rows never split across pages; the header row repeats on each new page. `cellColor` tints a
   * cell's text (status columns). Widths are fractions of the content width when they sum to ≤ 1.
   */
  table(
    columns: readonly Column[],
    rows: readonly string[][],
    options: { size?: number; cellColor?: (row: number, col: number) => string | undefined } = {},
  ): void {
    const size = options.size ?? 7.5;
    const total = columns.reduce((s, c) => s + c.width, 0);
    const widths = columns.map((c) => (total <= 1.0001 ? c.width * CONTENT_WIDTH : c.width));
    const pad = 2.5;
    const drawHeader = () => {
      this.doc.font("Helvetica-Bold").fontSize(size);
      const h =
        Math.max(
          ...columns.map((c, i) => this.doc.heightOfString(c.header, { width: widths[i]! - 2 * pad })),
        ) +
        2 * pad;
      this.doc.rect(MARGIN.left, this.y, CONTENT_WIDTH, h).fill("#dfe7ef");
      this.doc.fillColor("#0d2b45");
      let x = MARGIN.left;
      columns.forEach((c, i) => {
        this.doc.text(c.header, x + pad, this.y + pad, {
          width: widths[i]! - 2 * pad,
          align: c.align ?? "left",
        });
        x += widths[i]!;
      });
      this.doc.fillColor("black");
      this.y += h;
    };
    this.ensure(40);
    drawHeader();
    rows.forEach((row, r) => {
      let h = 0;
      const simple: boolean[] = [];
      row.forEach((cell, i) => {
        const cellSize = columns[i]!.mono ? size - 0.8 : size;
        const lines = fitsWithoutWrapping(cell, cellSize, widths[i]! - 2 * pad, columns[i]!.mono === true);
        simple.push(lines > 0);
        if (lines > 0) {
          h = Math.max(h, lines * lineHeight(cellSize));
          return;
        }
        this.doc.font(columns[i]!.mono ? "Courier" : "Helvetica").fontSize(cellSize);
        h = Math.max(h, this.doc.heightOfString(cell || " ", { width: widths[i]! - 2 * pad }));
      });
      h += 2 * pad;
      if (this.y + h > this.bottom) {
        this.newPage();
        drawHeader();
      }
      if (r % 2 === 1) this.doc.rect(MARGIN.left, this.y, CONTENT_WIDTH, h).fill("#f4f6f8");
      let x = MARGIN.left;
      row.forEach((cell, i) => {
        const color = options.cellColor?.(r, i);
        this.doc
          .fillColor(color ?? "black")
          .font(columns[i]!.mono ? "Courier" : color ? "Helvetica-Bold" : "Helvetica")
          .fontSize(columns[i]!.mono ? size - 0.8 : size)
          .text(cell, x + pad, this.y + pad, {
            width: widths[i]! - 2 * pad,
            align: columns[i]!.align ?? "left",
          });
        x += widths[i]!;
      });
      this.doc.fillColor("black");
      this.y += h;
    });
    this.doc
      .moveTo(MARGIN.left, this.y)
      .lineTo(MARGIN.left + CONTENT_WIDTH, this.y)
      .lineWidth(0.4)
      .strokeColor("#9fb3c8")
      .stroke();
    this.y += 8;
  }

  /** A framed note (organisational measures needing documents). */
  note(title: string, text: string, color = "#757575"): void {
    this.doc.font("Helvetica").fontSize(8.5);
    const h = this.doc.heightOfString(text, { width: CONTENT_WIDTH - 16 }) + 22;
    this.ensure(h + 4);
    this.doc.rect(MARGIN.left, this.y, CONTENT_WIDTH, h).lineWidth(0.8).strokeColor(color).stroke();
    this.doc.rect(MARGIN.left, this.y, 4, h).fill(color);
    this.doc
      .fillColor(color)
      .font("Helvetica-Bold")
      .fontSize(8.5)
      .text(title, MARGIN.left + 10, this.y + 5);
    this.doc
      .fillColor("black")
      .font("Helvetica")
      .fontSize(8.5)
      .text(text, MARGIN.left + 10, this.y + 16, { width: CONTENT_WIDTH - 16 });
    this.y += h + 6;
  }
}

/** ISO time without zero milliseconds: fits a narrow column without wrapping. */
const shortTime = (t: string): string => t.replace(/\.000Z$/, "Z").replace("T", " ");

const pct = (passing: number, inScope: number): string =>
  inScope === 0 ? "-" : `${passing}/${inScope} (${Math.round((100 * passing) / inScope)}%)`;

/** Coverage chart: one horizontal bar per point, hosts passing over hosts in scope, in vector graphics. */
function coverageChart(layout: Layout, model: Nis2ReportModel): void {
  const doc = layout.doc;
  const rowH = 17;
  const labelW = 46;
  const valueW = 96;
  const barW = CONTENT_WIDTH - labelW - valueW;
  const height = model.summary.points.length * rowH + 34;
  layout.ensure(height);
  const top = layout.y;
  doc.font("Helvetica-Bold").fontSize(9).fillColor("#0d2b45");
  doc.text("Coverage: hosts passing / hosts in scope, per point", MARGIN.left, top, { width: CONTENT_WIDTH });
  let y = top + 16;
  // Gridlines at 0, 25, 50, 75, 100 %.
  for (let q = 0; q <= 4; q++) {
    const x = MARGIN.left + labelW + (barW * q) / 4;
    doc
      .moveTo(x, y - 2)
      .lineTo(x, y + model.summary.points.length * rowH)
      .lineWidth(0.3)
      .strokeColor("#c5ced8")
      .stroke();
    doc
      .font("Helvetica")
      .fontSize(6.5)
      .fillColor("#607080")
      .text(`${q * 25}%`, x - 10, y + model.summary.points.length * rowH + 2, { width: 20, align: "center" });
  }
  for (const p of model.summary.points) {
    const { hostsPassing, hostsInScope } = p.coverage;
    doc
      .font("Helvetica-Bold")
      .fontSize(8.5)
      .fillColor("black")
      .text(`(${p.point})`, MARGIN.left, y + 3, {
        width: labelW - 6,
      });
    doc.rect(MARGIN.left + labelW, y + 2, barW, rowH - 6).fill("#eceff1");
    if (p.status === "documents-only") {
      // No technical control: a hatched bar says "nothing machines can show" rather than 0 %.
      doc.save();
      doc.rect(MARGIN.left + labelW, y + 2, barW, rowH - 6).clip();
      for (let x = MARGIN.left + labelW - rowH; x < MARGIN.left + labelW + barW; x += 6)
        doc
          .moveTo(x, y + rowH)
          .lineTo(x + rowH, y)
          .lineWidth(0.5)
          .strokeColor("#b0b0b0")
          .stroke();
      doc.restore();
    } else if (hostsInScope > 0) {
      const w = (barW * hostsPassing) / hostsInScope;
      if (w > 0) doc.rect(MARGIN.left + labelW, y + 2, w, rowH - 6).fill(STATUS_COLOR[p.status]);
    }
    doc
      .font("Helvetica")
      .fontSize(7.5)
      .fillColor("black")
      .text(
        p.status === "documents-only" ? "documents only" : pct(hostsPassing, hostsInScope),
        MARGIN.left + labelW + barW + 6,
        y + 4,
        { width: valueW - 6 },
      );
    y += rowH;
  }
  doc.fillColor("black");
  layout.y = y + 16;
}

function statusLegend(layout: Layout): void {
  const doc = layout.doc;
  layout.ensure(16);
  let x = MARGIN.left;
  for (const s of Object.keys(STATUS_LABEL) as Nis2Status[]) {
    doc.rect(x, layout.y + 1, 7, 7).fill(STATUS_COLOR[s]);
    doc
      .font("Helvetica")
      .fontSize(7)
      .fillColor("black")
      .text(STATUS_LABEL[s], x + 10, layout.y, { lineBreak: false });
    x += doc.widthOfString(STATUS_LABEL[s]) + 22;
  }
  layout.y += 16;
}

function evidenceRows(
  refs: readonly (Nis2EvidenceRef & { controlId?: string })[],
  withControl: boolean,
): string[][] {
  return refs.map((r) => [
    `${r.evidenceId}\n${r.sha256}`,
    withControl ? `${r.host}\n${r.controlId ?? ""}` : r.host,
    r.source,
    r.status,
    shortTime(r.collectedAt),
  ]);
}

const EVIDENCE_COLUMNS: Column[] = [
  { header: "Evidence id / SHA-256", width: 0.53, mono: true },
  { header: "Host / control", width: 0.18 },
  { header: "Source", width: 0.07 },
  { header: "Status", width: 0.08 },
  { header: "Collected at (UTC)", width: 0.14 },
];

function statusCell(status: string): string | undefined {
  if (status === "fail" || status === "non-compliant") return STATUS_COLOR["non-compliant"];
  if (status === "error" || status === "stale" || status === "missing" || status === "insufficient-evidence")
    return STATUS_COLOR["insufficient-evidence"];
  if (status === "waived" || status === "compliant-with-waivers")
    return STATUS_COLOR["compliant-with-waivers"];
  return undefined;
}

/** Renders the report; resolves to the PDF bytes. */
export function renderNis2Pdf(model: Nis2ReportModel, options: Nis2PdfOptions = {}): Promise<Buffer> {
  const opts = { ...DEFAULTS, ...options };
  const id = model.identification;
  const twinSha256 = sha256Hex(nis2ReportJson(model));
  const doc = new PDFDocument({
    size: "A4",
    margins: MARGIN,
    bufferPages: true,
    autoFirstPage: true,
    info: {
      Title: `NIS2 Article 21 report - ${id.entity.name}`,
      Author: `nixfleet ${id.generator.version}`,
      Subject: `Cybersecurity risk-management measures, ${id.period.since} to ${id.period.until}`,
      Creator: "nixfleet report nis2",
      Producer: "nixfleet (pdfkit)",
      // The generation time, not the wall clock: the PDF carries the model's time only.
      CreationDate: new Date(id.generatedAt),
      ModDate: new Date(id.generatedAt),
    },
  });
  const chunks: Buffer[] = [];
  doc.on("data", (c: Buffer) => chunks.push(c));
  const finished = new Promise<Buffer>((resolve, reject) => {
    doc.on("end", () => resolve(Buffer.concat(chunks)));
    doc.on("error", reject);
  });

  const L = new Layout(doc);

  // 1. Identification.
  doc.font("Helvetica-Bold").fontSize(20).fillColor("#0d2b45");
  doc.text("NIS2 Article 21 report", MARGIN.left, L.y + 10, { width: CONTENT_WIDTH });
  doc.font("Helvetica").fontSize(11).fillColor("#37474f");
  doc.text("Cybersecurity risk-management measures (Directive (EU) 2022/2555, Art. 21(2) and Art. 23)", {
    width: CONTENT_WIDTH,
  });
  doc.fillColor("black");
  L.y = doc.y + 14;
  L.heading("1. Identification");
  L.keyValues([
    ["Entity", id.entity.name + (id.entity.type ? ` (${id.entity.type} entity)` : "")],
    ["Period", `${id.period.since} to ${id.period.until} (UTC)`],
    ["Generated at (UTC)", id.generatedAt],
    ["Generator", `${id.generator.name} ${id.generator.version}`],
    ["Source of evidence", `${id.source.kind}: ${id.source.location}`],
    [
      "SHA-256 of the evidence bundle",
      id.evidenceBundleSha256 ?? "no evidence bundle given",
      id.evidenceBundleSha256 !== null,
    ],
    ["SHA-256 of the JSON twin", twinSha256, true],
  ]);
  L.paragraph(
    "The JSON twin is this report's view model, serialised with two-space indentation and a final newline (nixfleet report nis2 --format json); its SHA-256 above lets a reader check that the two documents belong together. The evidence bundle (nixfleet evidence export) carries the signed evidence records and audit events this report cites.",
    { size: 8, color: "#455a64" },
  );

  // 2. Executive summary.
  L.heading("2. Executive summary");
  const s = model.summary;
  L.keyValues([
    ["Overall status", STATUS_LABEL[s.overall]],
    ["Hosts in scope", String(s.hostsInScope)],
    ["Technical controls assessed", String(s.controlsAssessed)],
    [
      "Host x control outcomes",
      `${s.results.pass} pass, ${s.results.waived} waived, ${s.results.fail} fail, ${s.results.error} error, ${s.results.missing} missing (${s.results.stale} stale), ${s.results.notApplicable} not applicable`,
    ],
    [
      "Open findings",
      `${s.findings.critical} critical, ${s.findings.high} high, ${s.findings.medium} medium, ${s.findings.low} low`,
    ],
  ]);
  L.table(
    [
      { header: "Point", width: 0.07 },
      { header: "Measure (Art. 21(2))", width: 0.43 },
      { header: "Status", width: 0.18 },
      { header: "Hosts passing", width: 0.13 },
      { header: "Controls", width: 0.09, align: "right" },
      { header: "Documents", width: 0.1 },
    ],
    s.points.map((p) => [
      `(${p.point})`,
      p.title,
      STATUS_LABEL[p.status],
      pct(p.coverage.hostsPassing, p.coverage.hostsInScope),
      String(p.controls),
      p.documentsRequired ? "required" : "-",
    ]),
    { cellColor: (r, c) => (c === 2 ? STATUS_COLOR[s.points[r]!.status] : undefined) },
  );
  coverageChart(L, model);
  statusLegend(L);

  // 3. Scope.
  L.heading("3. Scope: inventory");
  L.paragraph(
    `${model.scope.hosts.length} host(s). Toplevel store paths and flake revisions identify exactly what each host was set to run.`,
    { size: 8.5 },
  );
  L.table(
    [
      { header: "Host", width: 0.14 },
      { header: "Platform / NixOS", width: 0.12 },
      { header: "Tags", width: 0.13 },
      { header: "Toplevel store path", width: 0.33, mono: true },
      { header: "Flake revision", width: 0.17, mono: true },
      { header: "Status", width: 0.11 },
    ],
    model.scope.hosts.map((h) => [
      h.host,
      `${h.platform}${h.nixosVersion ? `\n${h.nixosVersion}` : ""}`,
      h.tags.join(", ") || "-",
      h.toplevel ?? "-",
      h.flakeRevision ?? "-",
      h.status,
    ]),
    { size: 7, cellColor: (r, c) => (c === 5 ? statusCell(model.scope.hosts[r]!.status) : undefined) },
  );

  // 4. Basis and method.
  const m = model.method;
  L.heading("4. Basis and method");
  L.table(
    [
      { header: "Framework", width: 0.2 },
      { header: "Title", width: 0.65 },
      { header: "Requirements", width: 0.15, align: "right" },
    ],
    m.frameworks.map((f) => [f.id, f.title, String(f.requirements)]),
  );
  L.keyValues([
    ["ANSSI BP-028 level", m.anssiLevel ?? "all levels"],
    [
      "Controls",
      `${m.checks.controls} (eval-time checks: ${m.checks.evalChecks}, runtime checks: ${m.checks.runtimeChecks})`,
    ],
    ["Results used", `${m.checks.evalResults} eval-time, ${m.checks.runtimeResults} runtime`],
    [
      "Freshness",
      `eval evidence ${m.freshness.evalMaxAgeHours} h, runtime evidence ${m.freshness.runtimeMaxAgeHours} h, measured at ${m.freshness.referenceTime}`,
    ],
  ]);
  L.bullets(m.rules);

  // 5. One section per point.
  L.heading("5. Measures of Article 21(2)");
  for (const p of model.points) {
    L.heading(`(${p.point}) ${p.title}`, 2);
    L.paragraph(
      p.controls.length === 0
        ? `NIS2 ${p.requirement}. Status: ${STATUS_LABEL[p.status]}: no technical control maps to this point; its evidence is documentary.`
        : `NIS2 ${p.requirement}. Status: ${STATUS_LABEL[p.status]}. Coverage: ${pct(p.coverage.hostsPassing, p.coverage.hostsInScope)} hosts passing every technical control of this point.`,
      { size: 8.5, color: STATUS_COLOR[p.status] },
    );
    if (p.controls.length > 0) {
      L.table(
        [
          { header: "Control", width: 0.27 },
          { header: "Severity / level", width: 0.14 },
          { header: "Checks", width: 0.1 },
          { header: "Status", width: 0.16 },
          { header: "Hosts passing", width: 0.14 },
          { header: "pass / fail / err / miss / waived", width: 0.19 },
        ],
        p.controls.map((c) => [
          `${c.controlId}\n${c.title}`,
          `${c.severity}\n${c.level}`,
          c.checks.join(" + "),
          STATUS_LABEL[c.status],
          pct(c.coverage.hostsPassing, c.coverage.hostsInScope),
          `${c.counts.pass} / ${c.counts.fail} / ${c.counts.error} / ${c.counts.missing} / ${c.counts.waived}`,
        ]),
        { size: 7, cellColor: (r, c) => (c === 3 ? STATUS_COLOR[p.controls[r]!.status] : undefined) },
      );
      const refs: (Nis2EvidenceRef & { controlId: string })[] = [];
      let omitted = 0;
      for (const c of p.controls) {
        const sorted = [...c.evidence].sort(evidencePriority);
        refs.push(...sorted.slice(0, opts.evidencePerControl).map((r) => ({ ...r, controlId: c.controlId })));
        omitted += Math.max(0, sorted.length - opts.evidencePerControl);
      }
      if (refs.length > 0) {
        L.heading("Evidence references", 3);
        const rows = evidenceRows(refs, true);
        L.table(EVIDENCE_COLUMNS, rows, {
          size: 7,
          cellColor: (r, c) => (c === 3 ? statusCell(refs[r]!.status) : undefined),
        });
        if (omitted > 0)
          L.paragraph(
            `${omitted} further evidence reference(s) of this point (passing results) are listed in the JSON twin and in Annex A where space allows.`,
            { size: 7.5, color: "#455a64" },
          );
      } else L.paragraph("No evidence was collected for this point's controls in the period.", { size: 8 });
    }
    if (p.waivers.length > 0) {
      L.heading("Waivers", 3);
      L.table(
        [
          { header: "Waiver / control", width: 0.22 },
          { header: "Scope", width: 0.13 },
          { header: "Rationale", width: 0.33 },
          { header: "Approver (requester)", width: 0.14 },
          { header: "Expires / state", width: 0.18 },
        ],
        p.waivers.map((w) => [
          `${w.id}\n${w.controlId}`,
          w.scope,
          w.rationale,
          `${w.approver}\n(${w.requestedBy})`,
          `${w.expiresAt}\n${w.state}`,
        ]),
        { size: 7 },
      );
    }
    if (p.organisationalMeasure)
      L.note(
        "Organisational measure: document required",
        `${p.organisationalMeasure.evidenceByDocument} Machines cannot evidence this part; attach the document to this report.`,
      );
  }

  // 6. Findings register.
  L.heading("6. Findings register");
  if (model.findings.length === 0) L.paragraph("No open findings in the period.");
  else
    L.table(
      [
        { header: "Id", width: 0.07 },
        { header: "Severity", width: 0.09 },
        { header: "Control / kind", width: 0.22 },
        { header: "Points", width: 0.07 },
        { header: "Hosts", width: 0.25 },
        { header: "Observation", width: 0.3 },
      ],
      model.findings.map((f) => [
        f.id,
        f.severity,
        `${f.controlId}\n${f.kind}`,
        f.points.map((x) => `(${x})`).join(" "),
        `${f.hosts.length}: ${f.hosts.slice(0, opts.hostsPerFinding).join(", ")}${f.hosts.length > opts.hostsPerFinding ? `, and ${f.hosts.length - opts.hostsPerFinding} more` : ""}`,
        f.message,
      ]),
      { size: 7, cellColor: (r, c) => (c === 1 ? SEVERITY_COLOR[model.findings[r]!.severity] : undefined) },
    );

  // 7. Remediation plan.
  L.heading("7. Remediation plan");
  if (model.remediationPlan.length === 0) L.paragraph("Nothing to remediate.");
  else
    L.table(
      [
        { header: "#", width: 0.05, align: "right" },
        { header: "Finding", width: 0.08 },
        { header: "Severity", width: 0.09 },
        { header: "Control", width: 0.19 },
        { header: "Hosts", width: 0.07, align: "right" },
        { header: "Action", width: 0.38 },
        { header: "Due by", width: 0.14 },
      ],
      model.remediationPlan.map((r) => [
        String(r.priority),
        r.findingId,
        r.severity,
        r.controlId,
        String(r.hosts),
        r.action,
        r.dueBy.slice(0, 10),
      ]),
      {
        size: 7,
        cellColor: (r, c) => (c === 2 ? SEVERITY_COLOR[model.remediationPlan[r]!.severity] : undefined),
      },
    );

  // 8. Incident-reporting readiness.
  const ir = model.incidentReadiness;
  L.heading("8. Incident-reporting readiness (Art. 23)");
  L.table(
    [
      { header: "Stage", width: 0.32 },
      { header: "Deadline", width: 0.14 },
      { header: "Content", width: 0.54 },
    ],
    ir.deadlines.map((d) => [d.stage, d.within, d.content]),
  );
  if (ir.loggingControls.length > 0)
    L.table(
      [
        { header: "Logging and detection control", width: 0.55 },
        { header: "Status", width: 0.25 },
        { header: "Hosts passing", width: 0.2 },
      ],
      ir.loggingControls.map((c) => [
        `${c.controlId}: ${c.title}`,
        STATUS_LABEL[c.status],
        pct(c.coverage.hostsPassing, c.coverage.hostsInScope),
      ]),
      { size: 7, cellColor: (r, c) => (c === 1 ? STATUS_COLOR[ir.loggingControls[r]!.status] : undefined) },
    );
  L.paragraph(
    `Changes in the period: ${ir.rollouts.length} rollout(s), of which ${ir.failedRollouts} failed or were aborted, and ${ir.rollbacks} rollback(s). A failed rollout or a rollback is a candidate incident: assess it against the Art. 23(3) significance criteria.`,
    { size: 8.5 },
  );
  if (ir.rollouts.length > 0)
    L.table(
      [
        { header: "Rollout", width: 0.27, mono: true },
        { header: "Kind", width: 0.09 },
        { header: "Status", width: 0.1 },
        { header: "Release", width: 0.2, mono: true },
        { header: "Started / finished", width: 0.2 },
        { header: "Failed / targets", width: 0.14 },
      ],
      ir.rollouts.map((r) => [
        r.id,
        r.kind,
        r.status,
        r.releaseId ?? (r.rollbackOf ? `undoes ${r.rollbackOf}` : "-"),
        `${r.createdAt}\n${r.finishedAt ?? "-"}`,
        `${r.failedHosts} / ${r.targets}${r.reason ? `\n${r.reason}` : ""}`,
      ]),
      {
        size: 7,
        cellColor: (r, c) =>
          c === 2 && (ir.rollouts[r]!.status === "failed" || ir.rollouts[r]!.status === "aborted")
            ? STATUS_COLOR["non-compliant"]
            : undefined,
      },
    );

  // 9. Sign-off.
  L.heading("9. Sign-off");
  L.paragraph(model.signOff.statement, { size: 9 });
  for (const signatory of model.signOff.signatories) {
    L.ensure(64);
    doc.font("Helvetica-Bold").fontSize(9).text(signatory.role, MARGIN.left, L.y);
    const lineY = L.y + 40;
    for (const [label, x, w] of [
      ["Name", MARGIN.left, 170],
      ["Date", MARGIN.left + 185, 110],
      ["Signature", MARGIN.left + 310, CONTENT_WIDTH - 310],
    ] as const) {
      doc
        .moveTo(x, lineY)
        .lineTo(x + w, lineY)
        .lineWidth(0.6)
        .strokeColor("#37474f")
        .stroke();
      doc
        .font("Helvetica")
        .fontSize(7)
        .fillColor("#607080")
        .text(label, x, lineY + 3, { lineBreak: false });
    }
    doc.fillColor("black");
    L.y = lineY + 20;
  }

  // Annex A: evidence index.
  L.newPage();
  L.heading("Annex A. Evidence index");
  const index = [...model.annexes.evidenceIndex].sort(evidencePriority);
  const shown = index.slice(0, opts.evidenceIndexLimit);
  L.paragraph(
    shown.length === index.length
      ? `${index.length} evidence record(s), non-passing first. Each SHA-256 is the digest of the sealed evidence record (RFC 8785 canonical JSON); nixfleet evidence verify checks them against the bundle.`
      : `${shown.length} of ${index.length} evidence records are listed here, non-passing first; the complete index is in the JSON twin (SHA-256 in section 1) and every record is in the evidence bundle.`,
    { size: 8.5 },
  );
  L.table(EVIDENCE_COLUMNS, evidenceRows(shown, true), {
    size: 7,
    cellColor: (r, c) => (c === 3 ? statusCell(shown[r]!.status) : undefined),
  });

  // Annex B: mapping tables.
  L.heading("Annex B. Mapping NIS2 <-> ISO/IEC 27001:2022 <-> ANSSI BP-028 <-> DORA");
  L.table(
    [
      { header: "NIS2", width: 0.09 },
      { header: "Measure / NixFleet controls", width: 0.4 },
      { header: "ISO 27001 Annex A", width: 0.19 },
      { header: "BP-028", width: 0.17 },
      { header: "DORA", width: 0.15 },
    ],
    model.annexes.mapping.map((r) => [
      r.point.length === 1 ? `${r.requirement}\n(${r.point})` : r.point,
      `${r.title}\n${r.controls.length > 0 ? r.controls.join(", ") : "(no technical control)"}`,
      r.iso27001.join(", ") || "-",
      r.anssiBp028.join(", ") || "-",
      r.dora.join(", ") || "-",
    ]),
    { size: 6.8 },
  );

  // Running header and footer on every page, written last so "of Y" is known.
  const range = doc.bufferedPageRange();
  for (let i = range.start; i < range.start + range.count; i++) {
    doc.switchToPage(i);
    // Text in the margins would otherwise make pdfkit start a new page.
    const margins = doc.page.margins;
    doc.page.margins = { top: 0, bottom: 0, left: margins.left, right: margins.right };
    doc.font("Helvetica").fontSize(7).fillColor("#607080");
    doc.text(
      `NIS2 Art. 21 report - ${id.entity.name} - ${id.period.since.slice(0, 10)} to ${id.period.until.slice(0, 10)}`,
      MARGIN.left,
      28,
      { width: CONTENT_WIDTH * 0.75, lineBreak: false },
    );
    doc.text(`generated ${id.generatedAt}`, MARGIN.left, 28, {
      width: CONTENT_WIDTH,
      align: "right",
      lineBreak: false,
    });
    doc
      .moveTo(MARGIN.left, 40)
      .lineTo(MARGIN.left + CONTENT_WIDTH, 40)
      .lineWidth(0.4)
      .strokeColor("#9fb3c8")
      .stroke();
    doc.text(`JSON twin SHA-256 ${twinSha256.slice(0, 16)}...`, MARGIN.left, PAGE.height - 36, {
      width: CONTENT_WIDTH * 0.7,
      lineBreak: false,
    });
    doc.text(`Page ${i - range.start + 1} of ${range.count}`, MARGIN.left, PAGE.height - 36, {
      width: CONTENT_WIDTH,
      align: "right",
      lineBreak: false,
    });
    doc.page.margins = margins;
  }
  doc.fillColor("black");
  doc.end();
  return finished;
}
