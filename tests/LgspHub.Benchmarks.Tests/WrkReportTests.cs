using LgspHub.Benchmarks.Gateway;

namespace LgspHub.Benchmarks.Tests;

public class WrkReportTests
{
    private static readonly WrkKnobs Knobs = new(Seconds: 7, Connections: 32, WarmUpSeconds: 3, WarmUpFreshSeconds: 12, Rounds: 2);

    // Two rounds: the nginx run is the faster of round 1 and the slower of round 2, so per-round ratios differ from the ratio of medians.
    private static readonly WrkRun[] GatewayRuns =
    [
        new(1, "direct", 5000, 25.11, 0, 0, 300),
        new(1, "nginx", 4000, 26, 0, 40, 310),
        new(1, "baseline", 3000, 32, 0, 96, 330),
        new(1, "hub", 2000, 50, 0, 240, 320),
        new(2, "direct", 4000, 30, 0, 0, 310),
        new(2, "nginx", 2000, 31, 0, 42, 320),
        new(2, "baseline", 2000, 33, 0, 98, 332),
        new(2, "hub", 1800, 55, 0, 250, 322),
    ];

    [Fact]
    public void Ratios_are_taken_within_each_round()
    {
        var figures = new WrkFigures(GatewayRuns);

        Assert.Equal([0.5, 0.9], figures.Ratios("hub", "nginx"));
        Assert.Equal("0.70 (0.50–0.90)", figures.RatioCell("hub", "nginx"));
    }

    [Fact]
    public void A_run_with_answers_that_were_not_2xx_spoils_the_figures()
    {
        var e = Assert.Throws<BenchException>(() => new WrkFigures([.. GatewayRuns, new(3, "hub", 1000, 60, 12, 250, 320)]));

        Assert.Equal("hub: 12 answers that were not 2xx in round 3; the figures would be wrong", e.Message);
    }

    [Fact]
    public void The_gateway_table_has_a_row_per_path_and_no_proxy_cpu_for_the_direct_one()
    {
        var table = GatewayBench.Table(new WrkFigures(GatewayRuns), "nginx 1.22 (Debian)").Split('\n');

        Assert.Equal("| path | requests/s | p99 ms | proxy CPU µs/request | agency CPU µs/request | vs direct | vs nginx |", table[0]);
        Assert.Equal("| land agency, direct | 4,500 (4,000–5,000) | 27.6 (25.1–30.0) | – | 305 (300–310) | 1.00 (1.00–1.00) | 1.62 (1.25–2.00) |", table[2]);
        Assert.Equal("| nginx 1.22 (Debian), keepalive upstream | 3,000 (2,000–4,000) | 28.5 (26.0–31.0) | 41 (40–42) | 315 (310–320) | 0.65 (0.50–0.80) | 1.00 (1.00–1.00) |", table[3]);
        Assert.Equal(6, table.Length);
    }

    [Fact]
    public void The_gateway_section_states_the_run_and_the_verdict_against_nginx()
    {
        var figures = new WrkFigures(GatewayRuns);
        var markdown = GatewayBench.Markdown(figures, GatewayBench.Table(figures, "nginx 1.22 (Debian)"), Knobs, new DateOnly(2026, 11, 23), 2);

        Assert.StartsWith("## Gateway against direct and nginx\n\n`./lgsp bench gateway` on 2026-11-23: `GET /api/land/parcels/20815/6/2313` (default seed), `wrk -t2 -c32 -d7s`, 2 rounds", markdown, StringComparison.Ordinal);
        Assert.Contains("share the machine's 2 cores.", markdown, StringComparison.Ordinal);
        Assert.Contains("Measured: 0.70 (0.50–0.90)x, **missed**. The full gateway keeps 0.43 (0.40–0.45) of the agency's direct throughput", markdown, StringComparison.Ordinal);
    }

    [Fact]
    public void Tracing_costs_one_less_the_per_round_ratio_to_tracing_off()
    {
        WrkRun[] runs = [new(1, "a", 900, 30, 0, 270, 340), new(1, "b", 1000, 28, 0, 250, 330), new(2, "a", 1020, 30, 0, 270, 340), new(2, "b", 1000, 28, 0, 250, 330)];
        var figures = new WrkFigures(runs);

        var markdown = TracingBench.Markdown(figures, TracingBench.Table(figures), Knobs, new DateOnly(2026, 11, 23));

        Assert.Contains("| traced, as the hub runs (every transaction) | 960 (900–1,020) | 30.0 (30.0–30.0) | 270 (270–270) | 340 (340–340) | 0.96 (0.90–1.02) |", markdown, StringComparison.Ordinal);
        Assert.Contains("Tracing costs 4% of the throughput (-2% to 10% across rounds). Target (issue #7): 10 % or less, **met**.", markdown, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(new string[0], "usage")]
    [InlineData(new[] { "gcServer" }, "not VAR=VALUE: gcServer")]
    [InlineData(new[] { "1X=2" }, "not VAR=VALUE: 1X=2")]
    [InlineData(new[] { "--build", "/nonexistent" }, "--build needs a directory holding LgspHub.Gateway.dll")]
    public void Compare_refuses_what_is_not_settings_or_a_build(string[] args, string message)
    {
        var errors = new List<string>();

        Assert.Null(CompareBench.Parse(args, errors.Add));
        Assert.Contains(message, Assert.Single(errors), StringComparison.Ordinal);
    }

    [Fact]
    public void Compare_takes_settings_with_equals_signs_in_their_values()
    {
        var (build, settings) = CompareBench.Parse(["DOTNET_gcServer=0", "ConnectionStrings__x=Data Source=a=b"], e => Assert.Fail(e))!.Value;

        Assert.Null(build);
        Assert.Equal([new("DOTNET_gcServer", "0"), new("ConnectionStrings__x", "Data Source=a=b")], settings);
    }
}
