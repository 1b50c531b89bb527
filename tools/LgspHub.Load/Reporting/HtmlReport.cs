using System.Globalization;
using System.Net;
using System.Text;

namespace LgspHub.Load.Reporting;

/// <summary>
/// One self-contained HTML page: tables and inline SVG charts, no script and nothing fetched, so the report
/// opens anywhere (an air-gapped CI artefact store included). Drawn by hand: a charting library would
/// bring JavaScript and a CDN, which is what this page avoids.
/// </summary>
public static class HtmlReport
{
    private static readonly string[] Palette = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf", "#bcbd22", "#7f7f7f", "#393b79", "#637939"];

    public static string Render(RunResult run)
    {
        var html = new StringBuilder();
        html.Append(CultureInfo.InvariantCulture, $$"""
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8"><title>LgspHub load: {{E(run.Scenario)}}</title>
            <style>
            body{font:14px/1.45 system-ui,sans-serif;margin:24px auto;max-width:1100px;color:#222}
            table{border-collapse:collapse;margin:8px 0 20px}td,th{border:1px solid #ccc;padding:3px 8px;text-align:right}
            th:first-child,td:first-child{text-align:left}th{background:#f3f3f3}
            .pass{color:#17803d;font-weight:600}.fail{color:#c62828;font-weight:600}
            figure{margin:0 0 18px}figcaption{font-weight:600;margin-bottom:4px}svg{background:#fcfcfc;border:1px solid #e3e3e3}
            </style></head><body>
            <h1>Load run: {{E(run.Scenario)}} <span class="{{(run.Passed ? "pass" : "fail")}}">{{(run.Passed ? "PASSED" : "FAILED")}}</span></h1>
            <p>{{E(run.Description)}}</p>
            <p>Gateway {{E(run.Gateway)}}, started {{run.StartedAt:yyyy-MM-dd HH:mm:ss}} UTC, arrivals for {{run.ScheduleSeconds:0.#}} s,
            {{run.DurationSeconds:0.#}} s in all (with the drain). Latencies count from each arrival's intended send time.</p>
            """);
        if (run.AbortedBy is { } abortedBy)
            html.Append(CultureInfo.InvariantCulture, $"<p class=fail>Stopped early: {E(abortedBy)} failed while the run went.</p>\n");

        Section(html, "Thresholds", ["threshold", "actual", "result"], run.Thresholds.Select(t =>
            new[] { E(t.Threshold), t.Actual is { } a ? Num(a) : "no data", t.Passed ? "<span class=pass>pass</span>" : "<span class=fail>FAIL</span>" }));

        var o = run.Overall;
        Section(html, "Totals", ["offered", "dropped", "succeeded", "rejected", "failed", "abandoned", "success rate", "checks passed", "p50 ms", "p95 ms", "p99 ms", "max ms"],
            [[Num(run.Offered), Num(run.Dropped), Num(o.Succeeded), Num(o.Rejected), Num(o.Failed), Num(o.Abandoned), Pct(o.SuccessRate), Pct(o.ChecksRate),
                Num(o.P50Ms), Num(o.P95Ms), Num(o.P99Ms), Num(o.MaxMs)]]);

        Section(html, "Operations", ["operation", "succeeded", "rejected", "failed", "abandoned", "success rate", "checks failed", "p50 ms", "p95 ms", "p99 ms", "max ms", "faults"],
            run.Operations.Select(op => new[]
            {
                E(op.Operation), Num(op.Succeeded), Num(op.Rejected), Num(op.Failed), Num(op.Abandoned), Pct(op.SuccessRate), Num(op.ChecksFailed),
                Num(op.P50Ms), Num(op.P95Ms), Num(op.P99Ms), Num(op.MaxMs), E(string.Join(", ", op.Faults.Select(f => $"{f.Key} {f.Value}"))),
            }));

        if (run.Checks.Count > 0)
            Section(html, "Checks", ["operation", "check", "passed", "failed"], run.Checks.Select(c => new[]
            {
                E(c.Operation), E(c.Check), Num(c.Passed), c.Failed == 0 ? "0" : $"<span class=fail>{Num(c.Failed)}</span>",
            }));

        if (run.Dossiers.Count > 0)
            Section(html, "Dossiers", ["kind", "submitted", "completed", "on time", "rejected", "failed", "unfinished", "not accepted", "p50 s", "p95 s", "p99 s"],
                run.Dossiers.Select(d => new[]
                {
                    E(d.Kind), Num(d.Submitted), Num(d.Completed), Num(d.CompletedOnTime), Num(d.Rejected), Num(d.Failed), Num(d.Unfinished), Num(d.NotAccepted),
                    Num(d.CompletionP50Seconds), Num(d.CompletionP95Seconds), Num(d.CompletionP99Seconds),
                }));

        if (run.Events.Count > 0)
            Section(html, "Events", ["at s", "event", "result"], run.Events.Select(e =>
                new[] { Num(e.AtSeconds), E(e.Description), e.Applied ? "<span class=pass>applied</span>" : $"<span class=fail>{E(e.Problem ?? "failed")}</span>" }));

        var markers = run.Events.Select(e => (e.AtSeconds, e.Description)).ToList();
        var width = run.BucketSeconds;
        var points = run.Timeline;
        var xMax = Math.Max(width, points.Count * width);
        html.Append("<h2>Over time</h2>");
        html.Append(Chart("Arrivals offered, and requests answered, per second (a flow may send several requests)", xMax, markers, null, null,
        [
            new("offered", points.Select(p => (p.AtSeconds, (double?)p.Offered / width)).ToList()),
            new("succeeded", points.Select(p => (p.AtSeconds, (double?)p.All.Succeeded / width)).ToList()),
            new("failed", points.Select(p => (p.AtSeconds, (double?)p.All.Failed / width)).ToList()),
            new("rejected", points.Select(p => (p.AtSeconds, (double?)p.All.Rejected / width)).ToList()),
            new("abandoned", points.Select(p => (p.AtSeconds, (double?)p.All.Abandoned / width)).ToList()),
            new("checks failed", points.Select(p => (p.AtSeconds, (double?)p.All.ChecksFailed / width)).ToList()),
        ]));
        html.Append(Chart("Success rate, % (succeeded / (succeeded + failed))", xMax, markers, Math.Min(99, Math.Floor(points.Min(p => p.All.SuccessRate) ?? 99)), 100,
            [new("success rate", points.Select(p => (p.AtSeconds, p.All.SuccessRate)).ToList())]));
        html.Append(Chart("Latency percentiles, ms (all operations)", xMax, markers, 0, null,
        [
            new("p50", points.Select(p => (p.AtSeconds, p.All.P50Ms)).ToList()),
            new("p95", points.Select(p => (p.AtSeconds, p.All.P95Ms)).ToList()),
            new("p99", points.Select(p => (p.AtSeconds, p.All.P99Ms)).ToList()),
        ]));
        var operations = run.Operations.Select(op => op.Operation).ToList();
        html.Append(Chart("p99 latency by operation, ms", xMax, markers, 0, null, operations.Select(name =>
            new Series(name, points.Select(p => (p.AtSeconds, p.Operations.FirstOrDefault(x => x.Operation == name)?.P99Ms)).ToList())).ToList()));
        html.Append(Chart("Success rate by operation, %", xMax, markers, null, 100, operations.Select(name =>
            new Series(name, points.Select(p => (p.AtSeconds, p.Operations.FirstOrDefault(x => x.Operation == name)?.SuccessRate)).ToList())).ToList()));
        html.Append("</body></html>\n");
        return html.ToString();
    }

    private sealed record Series(string Name, IReadOnlyList<(double X, double? Y)> Points);

    private static string Chart(string title, double xMax, IReadOnlyList<(double At, string Label)> markers, double? yMin, double? yMax, IReadOnlyList<Series> series)
    {
        const int W = 1060, H = 260, Left = 56, Right = 270, Top = 12, Bottom = 30;
        var values = series.SelectMany(s => s.Points).Where(p => p.Y is not null).Select(p => p.Y!.Value).ToList();
        var low = yMin ?? (values.Count == 0 ? 0 : Math.Floor(values.Min()));
        var high = yMax ?? (values.Count == 0 ? 1 : Math.Max(low + 1, values.Max() * 1.08));
        if (high <= low)
            (low, high) = yMax is null ? (low, low + 1) : (high - 1, high);
        double X(double x) => Left + x / xMax * (W - Left - Right);
        double Y(double y) => Top + (1 - (Math.Clamp(y, low, high) - low) / (high - low)) * (H - Top - Bottom);

        var svg = new StringBuilder();
        svg.Append(CultureInfo.InvariantCulture, $"""<figure><figcaption>{E(title)}</figcaption><svg width="{W}" height="{H}" viewBox="0 0 {W} {H}" role="img" aria-label="{E(title)}">""");
        for (var i = 0; i <= 4; i++)
        {
            var y = low + (high - low) * i / 4;
            svg.Append(CultureInfo.InvariantCulture, $"""<line x1="{Left}" x2="{W - Right}" y1="{Y(y):0.#}" y2="{Y(y):0.#}" stroke="#e5e5e5"/><text x="{Left - 6}" y="{Y(y) + 4:0.#}" font-size="11" text-anchor="end">{y.ToString(high - low < 10 ? "0.##" : "#,0", CultureInfo.InvariantCulture)}</text>""");
        }
        for (var i = 0; i <= 5; i++)
        {
            var x = xMax * i / 5;
            svg.Append(CultureInfo.InvariantCulture, $"""<text x="{X(x):0.#}" y="{H - 10}" font-size="11" text-anchor="middle">{x:0} s</text>""");
        }
        foreach (var (at, label) in markers)
            svg.Append(CultureInfo.InvariantCulture, $"""<line x1="{X(at):0.#}" x2="{X(at):0.#}" y1="{Top}" y2="{H - Bottom}" stroke="#999" stroke-dasharray="4 3"><title>{E(label)}</title></line>""");
        for (var i = 0; i < series.Count; i++)
        {
            var color = Palette[i % Palette.Length];
            // Gaps (no answer in a bucket) break the line rather than drawing it to zero.
            foreach (var run in Runs(series[i].Points))
            {
                var path = string.Join(" ", run.Select(p => string.Create(CultureInfo.InvariantCulture, $"{X(p.X):0.#},{Y(p.Y):0.#}")));
                svg.Append(CultureInfo.InvariantCulture, $"""<polyline fill="none" stroke="{color}" stroke-width="1.6" points="{path}"/>""");
            }
            svg.Append(CultureInfo.InvariantCulture, $"""<rect x="{W - Right + 10}" y="{Top + i * 16}" width="10" height="10" fill="{color}"/><text x="{W - Right + 24}" y="{Top + i * 16 + 9}" font-size="11">{E(series[i].Name)}</text>""");
        }
        svg.Append("</svg></figure>\n");
        return svg.ToString();
    }

    private static IEnumerable<List<(double X, double Y)>> Runs(IReadOnlyList<(double X, double? Y)> points)
    {
        var run = new List<(double, double)>();
        foreach (var (x, y) in points)
        {
            if (y is { } value)
            {
                run.Add((x, value));
                continue;
            }
            if (run.Count > 0)
                yield return run;
            run = [];
        }
        if (run.Count > 0)
            yield return run;
    }

    private static void Section(StringBuilder html, string title, string[] headers, IEnumerable<string[]> rows)
    {
        html.Append(CultureInfo.InvariantCulture, $"<h2>{E(title)}</h2><table><tr>{string.Concat(headers.Select(h => $"<th>{E(h)}</th>"))}</tr>");
        foreach (var row in rows)
            html.Append(CultureInfo.InvariantCulture, $"<tr>{string.Concat(row.Select(cell => $"<td>{cell}</td>"))}</tr>");
        html.Append("</table>\n");
    }

    private static string E(string text) => WebUtility.HtmlEncode(text);

    internal static string Num(double? value) => value switch
    {
        null => "–",
        { } v when Math.Abs(v) >= 100 || v == Math.Floor(v) => v.ToString("#,0", CultureInfo.InvariantCulture),
        { } v => v.ToString("0.##", CultureInfo.InvariantCulture),
    };

    internal static string Pct(double? rate) => rate is { } r ? r.ToString("0.###", CultureInfo.InvariantCulture) + " %" : "–";
}
