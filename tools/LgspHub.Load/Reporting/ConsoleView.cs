using Spectre.Console;
using static LgspHub.Load.Reporting.HtmlReport;

namespace LgspHub.Load.Reporting;

/// <summary>The live progress line while a run goes, and the summary tables at its end.</summary>
public sealed class ConsoleView(IAnsiConsole console)
{
    private DateTime _lastPlainLine;

    /// <summary>The console's lines to standard error from here on, leaving standard output to a stream of JSON lines.</summary>
    public static void MoveToStandardError()
    {
        AnsiConsole.Console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
        // Written to a log (CI), the tables get room for operation names rather than the default 80 columns.
        if (Console.IsErrorRedirected)
            AnsiConsole.Profile.Width = 160;
    }

    /// <summary>A live status line on a terminal; a plain line every 5 s when the output is a log (CI).</summary>
    public void Show(Running.Progress p)
    {
        var phase = p.Draining ? "draining" : $"{DurationText(p.Elapsed)} / {DurationText(p.Duration)}";
        var recentSuccess = p.Recent.Succeeded + p.Recent.Failed == 0 ? "–" : Pct(100.0 * p.Recent.Succeeded / (p.Recent.Succeeded + p.Recent.Failed));
        var line = $"{phase} | offered {p.OfferedPerSecond:0}/s ({p.Offered:#,0}) | answered {p.Recent.Answered}/s | success now {recentSuccess}, run {Pct(p.Overall.SuccessRate)}"
            + $" | p99 now {Num(p.Recent.P99Ms)} ms | in flight {p.InFlight} | dropped {p.Dropped} | abandoned {p.Overall.Abandoned}"
            + $" | checks failed {p.Overall.ChecksFailed} | dossiers ended {p.DossiersEnded}";
        if (console.Profile.Capabilities.Interactive)
        {
            console.Write(new Text("\r" + line.PadRight(Math.Max(line.Length, console.Profile.Width - 1))[..Math.Min(line.Length, console.Profile.Width - 1)]));
        }
        else if (DateTime.UtcNow - _lastPlainLine >= TimeSpan.FromSeconds(5) || p.Draining)
        {
            _lastPlainLine = DateTime.UtcNow;
            console.WriteLine(line);
        }
    }

    public void Summary(RunResult run, string folder)
    {
        console.WriteLine();
        var totals = new Table().Title($"[bold]{Markup.Escape(run.Scenario)}[/]: {run.Offered:#,0} arrivals, {run.Dropped:#,0} dropped")
            .AddColumns("operation", "succeeded", "rejected", "failed", "abandoned", "success %", "checks failed", "p50 ms", "p95 ms", "p99 ms", "max ms");
        foreach (var op in run.Operations.Append(run.Overall))
        {
            totals.AddRow(Markup.Escape(op.Operation), Num(op.Succeeded), Num(op.Rejected), Num(op.Failed), Num(op.Abandoned), Pct(op.SuccessRate),
                op.ChecksPassed + op.ChecksFailed == 0 ? "–" : $"{Num(op.ChecksFailed)} / {Num(op.ChecksPassed + op.ChecksFailed)}",
                Num(op.P50Ms), Num(op.P95Ms), Num(op.P99Ms), Num(op.MaxMs));
        }
        console.Write(totals);

        if (run.Checks.Count > 0)
        {
            var checks = new Table().AddColumns("operation", "check", "passed", "failed");
            foreach (var c in run.Checks)
                checks.AddRow(Markup.Escape(c.Operation), Markup.Escape(c.Check), Num(c.Passed), c.Failed == 0 ? "0" : $"[red]{Num(c.Failed)}[/]");
            console.Write(checks);
        }

        if (run.Dossiers.Count > 0)
        {
            var dossiers = new Table().AddColumns("dossiers", "submitted", "completed", "on time", "rejected", "failed", "unfinished", "not accepted", "p50 s", "p99 s");
            foreach (var d in run.Dossiers)
            {
                dossiers.AddRow(d.Kind, Num(d.Submitted), Num(d.Completed), Num(d.CompletedOnTime), Num(d.Rejected), Num(d.Failed), Num(d.Unfinished),
                    Num(d.NotAccepted), Num(d.CompletionP50Seconds), Num(d.CompletionP99Seconds));
            }
            console.Write(dossiers);
        }

        foreach (var e in run.Events.Where(e => !e.Applied))
            console.MarkupLine($"[red]event at {e.AtSeconds:0.#} s not applied:[/] {Markup.Escape(e.Problem ?? e.Description)}");
        if (run.AbortedBy is { } threshold)
            console.MarkupLine($"[red]stopped early:[/] {Markup.Escape(threshold)} failed while the run went");
        foreach (var t in run.Thresholds)
            console.MarkupLine($"{(t.Passed ? "[green]pass[/]" : "[red]FAIL[/]")} {Markup.Escape(t.Threshold)} (actual {(t.Actual is { } a ? Num(a) : "no data")})");
        console.MarkupLine($"{(run.Passed ? "[green]PASSED[/]" : "[red]FAILED[/]")}: report {Markup.Escape(Path.Combine(folder, "report.html"))}, result {Markup.Escape(Path.Combine(folder, "result.json"))}");
    }

    private static string DurationText(TimeSpan t) => Scenarios.DurationText.Format(t);
}
