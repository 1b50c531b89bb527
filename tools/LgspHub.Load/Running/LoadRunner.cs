using System.Diagnostics;
using System.Net.Http.Json;
using LgspHub.Load.Flows;
using LgspHub.Load.Outputs;
using LgspHub.Load.Reporting;
using LgspHub.Load.Scenarios;

namespace LgspHub.Load.Running;

/// <summary>What the live view shows once a second.</summary>
public sealed record Progress(
    TimeSpan Elapsed, TimeSpan Duration, bool Draining, double OfferedPerSecond, long Offered, long InFlight, long Dropped,
    RecentFigures Recent, Totals Overall, int DossiersEnded);

/// <summary>
/// Runs a scenario against the hub: arrivals on the open-model schedule, each one a flow started without
/// waiting for the ones before; timed fault events; then a drain so dossiers in progress can end. Once a
/// second it shows progress, streams an interval to the outputs and checks the live thresholds, the first
/// of which to fail with abortOnFail stops the run.
/// </summary>
public sealed class LoadRunner(Scenario scenario, Uri gateway, HttpMessageHandler? handler = null, IReadOnlyList<IRunOutput>? outputs = null)
{
    private readonly IReadOnlyList<IRunOutput> _outputs = outputs ?? [];

    public async Task<RunResult> RunAsync(Action<Progress>? progress, CancellationToken stop)
    {
        var data = new ProvinceData(scenario.Province);
        var measurements = new Measurements(scenario.Duration + scenario.Drain, Measurements.BucketWidthFor(scenario.Duration), _outputs,
            LiveThresholds.LongestWindow(scenario), LiveThresholds.NeedsLatency(scenario));
        var clock = Stopwatch.StartNew();
        TimeSpan Elapsed() => clock.Elapsed;
        using var hub = new HubClient(gateway, handler ?? HubClient.DefaultHandler(), scenario.RequestTimeout, measurements, Elapsed, scenario.Checks);
        await hub.SignInAsync(scenario.Consumers, stop);

        var flows = new FlowRunner(hub, data, measurements, Elapsed);
        var sequences = new SequenceRunner(hub, data, measurements, Elapsed);
        var mix = new MixPicker(scenario.Mix);
        var inFlight = new InFlight();
        var live = new LiveThresholds(scenario, measurements);
        // Cancelled by Ctrl-C, or by a threshold that aborts on failure.
        using var abort = CancellationTokenSource.CreateLinkedTokenSource(stop);
        using var drained = CancellationTokenSource.CreateLinkedTokenSource(abort.Token);
        using var ticking = new CancellationTokenSource();
        var startedAt = DateTimeOffset.UtcNow;
        foreach (var output in _outputs)
            output.Start(scenario, startedAt, () => inFlight.Count);
        clock.Restart();

        long lastOffered = 0;
        var lastReport = TimeSpan.Zero;
        var events = new EventTimeline(scenario, hub, Elapsed);
        var eventsDone = events.RunAsync(abort.Token);
        var ticker = TickAsync(ticking.Token);

        foreach (var due in ArrivalSchedule.Offsets(scenario.Stages))
        {
            var wait = due - clock.Elapsed;
            if (wait > TimeSpan.FromMilliseconds(1))
                await Task.Delay(wait, abort.Token).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            if (abort.IsCancellationRequested)
                break;   // Ctrl-C or a threshold: stop offering, report what was measured
            measurements.Offer(due);
            if (inFlight.Count >= scenario.MaxInFlight)
            {
                // The generator's own limit: counted and reported, never silently skipped.
                measurements.Drop(due);
                continue;
            }
            var entry = mix.Next();
            var flow = entry.Sequence is { } name
                ? RunFlowAsync(() => sequences.RunAsync(scenario.Sequences[name], entry.Consumer, due, abort.Token), abort.Token)
                : RunFlowAsync(() => flows.RunAsync(entry.Flow, entry.Consumer, due, abort.Token, drained.Token), abort.Token);
            inFlight.Track(flow);
        }

        var scheduleEnded = clock.Elapsed;
        drained.CancelAfter(scenario.Drain);
        await inFlight.WhenIdleAsync();
        await eventsDone.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        var cleanup = await events.ClearFaultsAsync();
        await ticking.CancelAsync();
        await ticker;
        Tick(final: true);

        var result = RunResult.From(scenario, gateway, startedAt, clock.Elapsed, scheduleEnded, measurements, events.Log.Concat(cleanup).ToList(),
            aborted: stop.IsCancellationRequested, live);
        foreach (var output in _outputs)
            await output.EndAsync(result);
        return result;

        async Task TickAsync(CancellationToken token)
        {
            using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1));
            try
            {
                while (await timer.WaitForNextTickAsync(token))
                    Tick(final: false);
            }
            catch (OperationCanceledException) when (token.IsCancellationRequested)
            {
                // The run has ended: the last tick is the final one below.
            }
        }

        void Tick(bool final)
        {
            var now = clock.Elapsed;
            progress?.Invoke(Snapshot(final));
            if (_outputs.Count > 0)
            {
                var interval = measurements.TakeInterval(now, inFlight.Count);
                foreach (var output in _outputs)
                    output.Interval(interval);
            }
            if (live.Evaluate(now, _outputs, mayAbort: !final))
                _ = abort.CancelAsync();   // not inline: the flows' cancellations run on the pool, not on this tick
        }

        Progress Snapshot(bool final)
        {
            var now = clock.Elapsed;
            var offered = measurements.Offered;
            var rate = now > lastReport ? (offered - lastOffered) / (now - lastReport).TotalSeconds : 0;
            (lastOffered, lastReport) = (offered, now);
            return new Progress(now, scenario.Duration, final || now > scenario.Duration, rate, offered, inFlight.Count, measurements.Dropped,
                measurements.TakeRecent(), measurements.Overall(), measurements.Dossiers().Count);
        }
    }

    private static async Task RunFlowAsync(Func<Task> flow, CancellationToken stop)
    {
        try
        {
            await flow();
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // The run was stopped: what was in flight is counted as abandoned where a request was out, nothing else.
        }
    }

    /// <summary>Counts flows still running without keeping them (a long run starts millions).</summary>
    private sealed class InFlight
    {
        private long _count;
        private readonly TaskCompletionSource _idle = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private bool _closed;

        public long Count => Interlocked.Read(ref _count);

        public void Track(Task flow)
        {
            Interlocked.Increment(ref _count);
            flow.ContinueWith(_ => Ended(), TaskScheduler.Default);
        }

        private void Ended()
        {
            if (Interlocked.Decrement(ref _count) == 0 && Volatile.Read(ref _closed))
                _idle.TrySetResult();
        }

        public Task WhenIdleAsync()
        {
            Volatile.Write(ref _closed, true);
            if (Count == 0)
                _idle.TrySetResult();
            return _idle.Task;
        }
    }
}

/// <summary>Applies the scenario's timed events: faults through the gateway's authorised endpoint, or a command.</summary>
internal sealed class EventTimeline(Scenario scenario, HubClient hub, Func<TimeSpan> elapsed)
{
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromMinutes(2);
    private readonly HashSet<string> _faulted = new(StringComparer.Ordinal);

    public List<EventRecord> Log { get; } = [];

    public async Task RunAsync(CancellationToken stop)
    {
        foreach (var planned in scenario.Events)
        {
            // Timers may fire a little early: an event never happens before its time.
            for (var wait = planned.At - elapsed(); wait > TimeSpan.Zero; wait = planned.At - elapsed())
                await Task.Delay(wait < TimeSpan.FromMilliseconds(1) ? TimeSpan.FromMilliseconds(1) : wait, stop);
            var at = elapsed();
            var problem = planned.Command is { } command ? await RunCommandAsync(command, stop) : await SetFaultsAsync(planned, stop);
            lock (Log)
                Log.Add(new EventRecord(at.TotalSeconds, planned.Describe(), problem is null, problem));
        }
    }

    /// <summary>Leaves the hub as the run found it: faults the scenario set are cleared at the end.</summary>
    public async Task<List<EventRecord>> ClearFaultsAsync()
    {
        var records = new List<EventRecord>();
        foreach (var agency in _faulted)
        {
            // Even after Ctrl-C: a hub left with an outage on is worse than a report a few seconds late.
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
            var problem = await hub.AdminAsync(scenario.Admin!, HttpMethod.Delete, $"/lgsp/faults/{agency}", null, timeout.Token);
            records.Add(new EventRecord(elapsed().TotalSeconds, $"{agency}: faults off (end of run)", problem is null, problem));
        }
        return records;
    }

    private async Task<string?> SetFaultsAsync(TimedEvent planned, CancellationToken stop)
    {
        var path = $"/lgsp/faults/{planned.Agency}";
        if (planned.ClearsFaults)
        {
            _faulted.Remove(planned.Agency!);
            return await hub.AdminAsync(scenario.Admin!, HttpMethod.Delete, path, null, stop);
        }
        _faulted.Add(planned.Agency!);
        return await hub.AdminAsync(scenario.Admin!, HttpMethod.Put, path, JsonContent.Create(planned.Faults), stop);
    }

    private static async Task<string?> RunCommandAsync(string command, CancellationToken stop)
    {
        using var process = Process.Start(new ProcessStartInfo("/bin/sh", ["-c", command])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        }) ?? throw new LoadException($"could not start /bin/sh for `{command}`");
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stop);
        timeout.CancelAfter(CommandTimeout);
        var output = process.StandardOutput.ReadToEndAsync(timeout.Token);
        var errors = process.StandardError.ReadToEndAsync(timeout.Token);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException) when (!stop.IsCancellationRequested)
        {
            process.Kill(entireProcessTree: true);
            return $"`{command}` did not end within {CommandTimeout.TotalSeconds:0} s";
        }
        await Task.WhenAll(output, errors);
        return process.ExitCode == 0 ? null : $"`{command}` exited with {process.ExitCode}: {errors.Result.Trim()}";
    }
}
