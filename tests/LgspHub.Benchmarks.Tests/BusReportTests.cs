namespace LgspHub.Benchmarks.Tests;

public class BusReportTests
{
    private static readonly BusOptions Options = BusOptions.Parse(["--broker", "amqp://guest:guest@127.0.0.1:5673/"], _ => null)!;

    [Fact]
    public void Each_variant_run_has_a_row_in_a_fixed_order_with_its_per_round_ratio_to_raw()
    {
        RunResult[] results =
        [
            new(1, BusVariants.MassTransit, 100, 7500, 7.1, 42.3, 1312, 8000, 61),
            new(1, BusVariants.Raw, 100, 10000, 4.2, 37.1, 1312, 11000, 31),
            new(2, BusVariants.Raw, 100, 12000, 4.0, 30, 1312, 13000, 30),
            new(2, BusVariants.MassTransit, 100, 10800, 7, 40, 1312, 11000, 60),
        ];

        var table = BusReport.Table(results, Options).Split('\n');
        var markdown = BusReport.Markdown(results, Options, 1312, string.Join('\n', table), new DateOnly(2026, 11, 23));

        Assert.Equal(4, table.Length);
        Assert.StartsWith("| raw RabbitMQ.Client 7.2.2 | 100 | 11,000 (10,000–12,000) |", table[2], StringComparison.Ordinal);
        Assert.Equal("| MassTransit 8.5.12, the hub's setup (HubMessaging.cs), prefetch 100, ConcurrentMessageLimit 8 | 100 | 9,150 (7,500–10,800) | 7.0 (7.0–7.1) | 41.1 (40.0–42.3) | 60 (60–61) | 0.82 (0.75–0.90) |", table[3]);
        Assert.Contains("broker 127.0.0.1:5673: 20,000 events per run", markdown, StringComparison.Ordinal);
        Assert.EndsWith("Measured, tuned, with the same window: 0.82 (0.75–0.90)x, **met**.", markdown, StringComparison.Ordinal);
    }

    [Fact]
    public void Without_raw_there_is_no_ratio_and_no_verdict()
    {
        RunResult[] results = [new(1, BusVariants.MassTransitOneAtATime, 1, 700, 0.3, 3.6, 1312, 700, 408)];

        var table = BusReport.Table(results, Options);
        var markdown = BusReport.Markdown(results, Options, 1312, table, new DateOnly(2026, 11, 23));

        Assert.EndsWith("| 408 (408–408) | – |", table, StringComparison.Ordinal);
        Assert.DoesNotContain("Target (issue #7)", markdown, StringComparison.Ordinal);
    }
}
