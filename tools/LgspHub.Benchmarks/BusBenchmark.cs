using System.Diagnostics;
using System.Globalization;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;

namespace LgspHub.Benchmarks;

/// <summary>The figures of one measured run.</summary>
/// <param name="PublishedPerSecond">Publishing alone: until the broker had confirmed the last message.</param>
/// <param name="CpuMicrosecondsPerMessage">This process's processor time (publisher and consumer), per message.</param>
public sealed record RunResult(int Round, string Variant, int InFlight, double MessagesPerSecond, double P50Ms, double P99Ms, int BodyBytes,
    double PublishedPerSecond, double CpuMicrosecondsPerMessage);

/// <summary>
/// Integration events/s and end-to-end latency, MassTransit against raw RabbitMQ.Client: every variant
/// publishes the same number of messages of the same size with the same number of publishes in flight
/// and the same prefetch, in interleaved rounds (the order rotating each round), medians reported.
/// </summary>
public static class BusBenchmark
{
    public static async Task<int> RunAsync(BusOptions options)
    {
        if (await BrokerProblemAsync(options) is { } problem)
        {
            Console.Error.WriteLine($"bench bus: error: cannot reach the broker at {options.BrokerForDisplay}: {problem}");
            Console.Error.WriteLine("bench bus: start the hub (./lgsp up --detach) or pass a reachable broker: ./lgsp bench bus amqp://user:pass@host:port/");
            return 1;
        }

        Console.WriteLine($"bench bus: {options.BrokerForDisplay}, {options.Messages:N0} messages per run, {options.Rounds} rounds, " +
            $"{options.InFlight} publishes in flight, prefetch {options.Prefetch}, {options.Concurrency} consumed at once");
        using var stop = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) => { e.Cancel = true; stop.Cancel(); };

        try
        {
            // Warm-up, unmeasured: the JIT takes tens of thousands of messages to settle on its final code (tiering,
            // dynamic PGO); measured earlier, the first rounds ran at half speed. It also tells the size of
            // MassTransit's messages on the wire, which the raw client's bodies are padded to.
            Console.WriteLine($"bench bus: warming up ({options.WarmUpRuns} unmeasured runs per variant)...");
            var bodyBytes = 0;
            for (var run = 0; run < options.WarmUpRuns; run++)
            {
                foreach (var variant in options.Variants.OrderBy(v => v == BusVariants.Raw))
                {
                    var result = await MeasureAsync(0, variant, options, bodyBytes, stop.Token);
                    if (variant != BusVariants.Raw)
                        bodyBytes = Math.Max(bodyBytes, result.BodyBytes);
                }
            }

            var results = new List<RunResult>();
            for (var round = 1; round <= options.Rounds; round++)
            {
                // Each round starts with the next variant, so none always runs first or last.
                var order = options.Variants.Skip((round - 1) % options.Variants.Count).Concat(options.Variants.Take((round - 1) % options.Variants.Count));
                foreach (var variant in order)
                {
                    var result = await MeasureAsync(round, variant, options, bodyBytes, stop.Token);
                    results.Add(result);
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"  round {round} {variant,-26} {result.MessagesPerSecond,9:N0} msg/s  p50 {result.P50Ms,7:N2} ms  p99 {result.P99Ms,7:N2} ms  published {result.PublishedPerSecond,7:N0}/s  cpu {result.CpuMicrosecondsPerMessage,5:N0} µs/msg  ({result.InFlight} in flight, {result.BodyBytes} B)"));
                }
            }
            PrintSummary(results, options);
            var table = BusReport.Table(results, options);
            if (options.Doc is { } doc)
                PerformanceDoc.WriteSection(doc, "bus", BusReport.Markdown(results, options, bodyBytes, table, DateOnly.FromDateTime(DateTime.Now)));
            Console.WriteLine();
            Console.WriteLine(table);
            if (options.Doc is { } written)
                Console.WriteLine($"bench bus: written to {written}");
            return 0;
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            Console.Error.WriteLine("bench bus: interrupted");
            return 130;
        }
        catch (Exception e) when (e is BrokerUnreachableException or AlreadyClosedException or TimeoutException or MassTransit.RabbitMqConnectionException)
        {
            Console.Error.WriteLine($"bench bus: error: {e.GetType().Name}: {e.Message}");
            return 1;
        }
    }

    private static async Task<RunResult> MeasureAsync(int round, string variantName, BusOptions options, int bodyBytes, CancellationToken cancellationToken)
    {
        var messages = BusVariants.Messages(variantName, options);
        var tracker = new RunTracker(Guid.NewGuid(), messages);
        var inFlight = BusVariants.InFlight(variantName, options);
        await using var variant = BusVariants.Create(variantName, options, bodyBytes);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.RunTimeout);
        await variant.StartAsync(tracker, timeout.Token);

        // At most inFlight publishes await their confirms at any time, for every variant alike.
        using var window = new SemaphoreSlim(inFlight);
        var publishes = new List<Task>(messages);
        var cpuBefore = Environment.CpuUsage.TotalTime;
        var started = Stopwatch.GetTimestamp();
        long confirmed;
        try
        {
            for (var sequence = 0; sequence < messages; sequence++)
            {
                await window.WaitAsync(timeout.Token);
                publishes.Add(PublishAsync(sequence));
            }
            await Task.WhenAll(publishes);
            confirmed = Stopwatch.GetTimestamp();
            await tracker.Done.WaitAsync(timeout.Token);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"{variantName}: {tracker.Received:N0} of {messages:N0} messages arrived within {options.RunTimeout.TotalSeconds:N0} s (LGSP_BUS_RUN_TIMEOUT)");
        }

        var cpu = Environment.CpuUsage.TotalTime - cpuBefore;
        var seconds = Stopwatch.GetElapsedTime(started, tracker.LastAt).TotalSeconds;
        return new RunResult(round, variantName, inFlight, messages / seconds,
            tracker.Latency.GetValueAtPercentile(50) / 1000.0, tracker.Latency.GetValueAtPercentile(99) / 1000.0, tracker.BodyBytes,
            messages / Stopwatch.GetElapsedTime(started, confirmed).TotalSeconds, cpu.TotalMicroseconds / messages);

        async Task PublishAsync(int sequence)
        {
            try
            {
                await variant.PublishAsync(ProbeEvent.Create(tracker.Run, sequence, ""), timeout.Token);
            }
            finally
            {
                window.Release();
            }
        }
    }

    private static void PrintSummary(List<RunResult> results, BusOptions options)
    {
        Console.WriteLine();
        Console.WriteLine("variant                     msg/s median (min-max)       p50 ms   p99 ms   vs raw (per-round ratios: median, min-max)");
        foreach (var variant in options.Variants)
        {
            var runs = results.Where(r => r.Variant == variant).ToList();
            var rates = runs.Select(r => r.MessagesPerSecond).ToList();
            var ratios = runs.Select(r => results.FirstOrDefault(b => b.Round == r.Round && b.Variant == BusVariants.Raw) is { } raw
                ? r.MessagesPerSecond / raw.MessagesPerSecond : double.NaN).Where(double.IsFinite).ToList();
            var versus = ratios.Count == 0 ? "-" : string.Create(CultureInfo.InvariantCulture, $"{Figures.Median(ratios):F2}x ({ratios.Min():F2}-{ratios.Max():F2})");
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{variant,-27} {Figures.Median(rates),9:N0} ({rates.Min(),7:N0}-{rates.Max(),7:N0})   {Figures.Median(runs.Select(r => r.P50Ms).ToList()),7:N2}  {Figures.Median(runs.Select(r => r.P99Ms).ToList()),7:N2}   {versus}"));
        }
    }

    /// <summary>A clear message instead of a stack trace when nothing answers at the broker's address.</summary>
    private static async Task<string?> BrokerProblemAsync(BusOptions options)
    {
        try
        {
            var factory = new ConnectionFactory { Uri = options.Broker, RequestedConnectionTimeout = TimeSpan.FromSeconds(5), ClientProvidedName = "lgsp-bench probe" };
            await using var connection = await factory.CreateConnectionAsync();
            await connection.CloseAsync();
            return null;
        }
        catch (BrokerUnreachableException e)
        {
            return e.InnerException?.Message ?? e.Message;
        }
    }
}
