// The line chart moved to charts/line.ts; this path stays for the runs table's overlay.
export * from "./charts/line";
