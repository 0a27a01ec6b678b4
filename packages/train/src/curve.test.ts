import { describe, expect, it } from "vitest";
import { lossCurveSvg } from "./curve.js";

describe("lossCurveSvg (train's loss_curve.svg and eval's report draw with it)", () => {
  const svg = lossCurveSvg(
    [
      { label: "train <loss>", color: "#111", points: [[0, 2], [10, 1], [20, Number.NaN]] },
      { label: "eval loss", color: "#111", points: [[10, 1.5]], dashed: true },
      { label: "empty", color: "#222", points: [] },
    ],
    { title: "t & t", width: 200, height: 100 },
  );

  it("one polyline per series with points, dashed where asked; non-finite losses left out", () => {
    const lines = svg.match(/<polyline [^>]*>/g) ?? [];
    expect(lines).toHaveLength(2);
    expect(lines[0]).not.toContain("stroke-dasharray");
    expect(lines[1]).toContain('stroke-dasharray="5 3"');
    expect((/points="([^"]*)"/.exec(lines[0] ?? "")?.[1] ?? "").split(" ")).toHaveLength(2); // the NaN point is skipped
  });

  it("labels and title are escaped, every series is named, the size is as asked", () => {
    expect(svg).toContain("train &lt;loss&gt;");
    expect(svg).toContain("t &amp; t");
    expect(svg).toContain(">empty</text>");
    expect(svg).toMatch(/^<svg [^>]*width="200" height="100"/);
  });
});
