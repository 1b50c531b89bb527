using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using System.Text.Json;
using LgspHub.Load.Outputs;
using LgspHub.Load.Running;
using LgspHub.Load.Scenarios;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace LgspHub.Load.Tests;

/// <summary>What a run does while it goes: thresholds over moving windows, aborting, abandoned requests, streamed outputs.</summary>
[Collection(TimedRuns.Name)]
public class LiveRunTests
{
    private static string ScenarioJson(string name, string stages, string extra = "") => $$"""
        {
          "name": "{{name}}",
          "consumers": { "hospital": { "clientId": "hospital.x", "secret": "s" }, "admin": { "clientId": "lgsp.load", "secret": "s" } },
          "admin": "admin",
          "stages": {{stages}},
          "mix": [ { "flow": "verify-identity", "consumer": "hospital", "weight": 1 } ],
          "drain": "5s"
          {{extra}}
        }
        """;

    private static async Task<string> WriteScenarioAsync(string folder, string json)
    {
        var file = Path.Combine(folder, "scenario.json");
        await File.WriteAllTextAsync(file, json);
        return file;
    }

    [Fact]
    public async Task A_threshold_that_fails_with_abort_on_fail_stops_the_run_and_exits_with_1()
    {
        await using var gateway = await FakeGateway.StartAsync();
        gateway.Behaviour = n => (n <= 40 ? 200 : 503, TimeSpan.Zero);   // the hub breaks after two seconds
        var folder = Directory.CreateTempSubdirectory("lgsp-load-abort-").FullName;
        var file = await WriteScenarioAsync(folder, ScenarioJson("abort", """[ { "duration": "20s", "rate": 20 } ]""",
            ""","thresholds": [ { "metric": "success-rate", "min": 90, "window": "2s", "abortOnFail": true } ]"""));

        var (code, output) = await ToolProcess.RunAsync("run", file, "--gateway", gateway.Url.ToString(), "--out", Path.Combine(folder, "out"));

        Assert.True(code == ExitCodes.ThresholdsFailed, output);
        Assert.Contains("stopped early", output, StringComparison.Ordinal);
        using var json = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(folder, "out", "result.json")));
        Assert.Contains("in every 2s window (abort on fail)", json.RootElement.GetProperty("abortedBy").GetString(), StringComparison.Ordinal);
        Assert.InRange(json.RootElement.GetProperty("offered").GetInt64(), 40, 200);   // of 400: it stopped within seconds of the break
        Assert.False(json.RootElement.GetProperty("thresholds")[0].GetProperty("passed").GetBoolean());
        Directory.Delete(folder, recursive: true);
    }

    [Fact]
    public async Task A_bad_second_fails_a_windowed_threshold_that_the_whole_run_passes()
    {
        await using var gateway = await FakeGateway.StartAsync();
        gateway.Behaviour = n => (n is > 40 and <= 60 ? 503 : 200, TimeSpan.Zero);   // one second's answers fail, of six
        var scenario = ScenarioFile.Parse(ScenarioJson("window", """[ { "duration": "6s", "rate": 20 } ]""",
            ""","thresholds": [ { "metric": "success-rate", "min": 75 }, { "metric": "success-rate", "min": 75, "window": "2s" } ]"""));

        var result = await new LoadRunner(scenario, gateway.Url).RunAsync(null, CancellationToken.None);

        Assert.Equal(100.0 * 100 / 120, result.Overall.SuccessRate!.Value, 6);
        Assert.True(result.Thresholds[0].Passed);
        Assert.False(result.Thresholds[1].Passed);
        // The worst window is worse than the whole run. How much worse depends on when the answers came: on a busy
        // machine the schedule runs late and a window holds more than two seconds' arrivals.
        Assert.True(result.Thresholds[1].Actual < result.Overall.SuccessRate, $"worst window {result.Thresholds[1].Actual} %");
        Assert.Null(result.AbortedBy);
    }

    [Fact]
    public async Task Requests_the_tool_gives_up_on_are_abandoned_not_failed()
    {
        await using var gateway = await FakeGateway.StartAsync();
        gateway.Behaviour = _ => (200, TimeSpan.FromSeconds(5));
        var scenario = ScenarioFile.Parse(ScenarioJson("abandon", """[ { "duration": "1s", "rate": 10 } ]""",
            ""","requestTimeout": "300ms", "thresholds": [ { "metric": "abandoned", "max": 0 } ]"""));

        var result = await new LoadRunner(scenario, gateway.Url).RunAsync(null, CancellationToken.None);

        Assert.Equal((10L, 0L, 0L), (result.Overall.Abandoned, result.Overall.Failed, result.Overall.Answered));
        Assert.Equal(10, result.Overall.Faults[AbandonedFaults.Timeout]);
        Assert.Null(result.Overall.SuccessRate);   // nothing the hub answered or failed
        Assert.Equal((10.0, false), (result.Thresholds[0].Actual, result.Thresholds[0].Passed));
    }

    [Fact]
    public async Task An_event_that_cannot_be_applied_exits_with_4_not_as_a_failed_threshold()
    {
        await using var gateway = await FakeGateway.StartAsync();
        gateway.Responder = call => call.Path.StartsWith("/lgsp/faults/", StringComparison.Ordinal) ? new FakeAnswer(500, new { title = "no" }) : new FakeAnswer(200, new { matches = true });
        var folder = Directory.CreateTempSubdirectory("lgsp-load-event-").FullName;
        var file = await WriteScenarioAsync(folder, ScenarioJson("event", """[ { "duration": "1s", "rate": 5 } ]""",
            ""","events": [ { "at": "0s", "agency": "land", "faults": { "errorRate": 0.5 } } ], "thresholds": [ { "metric": "success-rate", "min": 99 } ]"""));

        var (code, output) = await ToolProcess.RunAsync("run", file, "--gateway", gateway.Url.ToString(), "--out", Path.Combine(folder, "out"));

        Assert.True(code == ExitCodes.EventFailed, output);
        Directory.Delete(folder, recursive: true);
    }

    [Fact]
    public async Task Json_lines_on_standard_output_stream_while_the_run_goes()
    {
        await using var gateway = await FakeGateway.StartAsync();
        var folder = Directory.CreateTempSubdirectory("lgsp-load-stream-").FullName;
        var file = await WriteScenarioAsync(folder, ScenarioJson("stream", """[ { "duration": "4s", "rate": 10 } ]"""));
        var lines = new ConcurrentQueue<(string Line, DateTime At)>();

        var (code, output) = await ToolProcess.RunAsync(["run", file, "--gateway", gateway.Url.ToString(), "--out", Path.Combine(folder, "out"), "-o", "json=-"],
            (line, at, _) => lines.Enqueue((line, at)));
        var ended = DateTime.UtcNow;

        Assert.True(code == 0, output);
        // Standard output holds JSON lines only: the console's own lines went to standard error.
        var parsed = lines.Select(l => (Json: JsonDocument.Parse(l.Line).RootElement, l.At)).ToList();
        var types = parsed.Select(p => p.Json.GetProperty("type").GetString()).ToList();
        Assert.Equal("start", types[0]);
        Assert.Equal("end", types[^1]);
        var intervals = parsed.Where(p => p.Json.GetProperty("type").GetString() == "interval").ToList();
        Assert.True(intervals.Count >= 4, string.Join("\n", lines.Select(l => l.Line)));
        Assert.True(ended - intervals[0].At > TimeSpan.FromSeconds(2), $"the first interval came {(ended - intervals[0].At).TotalSeconds:0.0} s before the end");
        Assert.Equal(40, intervals.Sum(i => i.Json.GetProperty("all").GetProperty("succeeded").GetInt64()));
        Assert.Equal(40, intervals.Sum(i => i.Json.GetProperty("offered").GetInt64()));
        Directory.Delete(folder, recursive: true);
    }

    [Fact]
    public async Task A_run_stopped_from_outside_exits_with_5_and_counts_what_was_in_flight_as_abandoned()
    {
        await using var gateway = await FakeGateway.StartAsync();
        gateway.Behaviour = _ => (200, TimeSpan.FromSeconds(3));
        var folder = Directory.CreateTempSubdirectory("lgsp-load-stop-").FullName;
        var file = await WriteScenarioAsync(folder, ScenarioJson("stop", """[ { "duration": "30s", "rate": 10 } ]"""));
        var signalled = 0;

        // SIGTERM at the first streamed interval, as CI cancelling a job would send it.
        var (code, output) = await ToolProcess.RunAsync(["run", file, "--gateway", gateway.Url.ToString(), "--out", Path.Combine(folder, "out"), "-o", "json=-"],
            (line, _, process) =>
            {
                if (line.Contains("\"type\":\"interval\"", StringComparison.Ordinal) && Interlocked.Exchange(ref signalled, 1) == 0)
                    Process.Start("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])!.WaitForExit();
            });

        Assert.True(code == ExitCodes.Interrupted, output);
        using var json = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(folder, "out", "result.json")));
        Assert.True(json.RootElement.GetProperty("aborted").GetBoolean());
        var overall = json.RootElement.GetProperty("overall");
        Assert.True(overall.GetProperty("abandoned").GetInt64() > 0, overall.GetRawText());
        Assert.Equal(0, overall.GetProperty("failed").GetInt64());
        Assert.True(overall.GetProperty("faults").GetProperty(AbandonedFaults.RunStopped).GetInt64() > 0, overall.GetRawText());
        Directory.Delete(folder, recursive: true);
    }

    [Fact]
    public async Task A_samples_file_has_a_line_per_request_before_the_run_ends()
    {
        await using var gateway = await FakeGateway.StartAsync();
        var folder = Directory.CreateTempSubdirectory("lgsp-load-samples-").FullName;
        var path = Path.Combine(folder, "samples.jsonl");
        var scenario = ScenarioFile.Parse(ScenarioJson("samples", """[ { "duration": "4s", "rate": 5 } ]""",
            ""","checks": [ { "field": "matches", "equals": true } ]"""));
        await using var output = JsonLinesOutput.ToFile(path, samples: true);

        var run = new LoadRunner(scenario, gateway.Url, outputs: [output]).RunAsync(null, CancellationToken.None);
        var seen = await Eventually(() => ReadShared(path).Contains("\"type\":\"request\"", StringComparison.Ordinal), TimeSpan.FromSeconds(3));
        var whileRunning = !run.IsCompleted;
        var result = await run;

        Assert.True(seen && whileRunning, $"a request line while running: {seen}, {whileRunning}");
        var lines = File.ReadAllLines(path).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        var requests = lines.Where(l => l.GetProperty("type").GetString() == "request").ToList();
        Assert.Equal(20, requests.Count);
        Assert.All(requests, r => Assert.Equal("population.verify-identity", r.GetProperty("operation").GetString()));
        Assert.All(requests, r => Assert.False(r.TryGetProperty("path", out _)));   // a path may hold a personal ID
        Assert.Equal(20, lines.Count(l => l.GetProperty("type").GetString() == "check" && l.GetProperty("passed").GetBoolean()));
        Assert.True(result.Passed);
        Directory.Delete(folder, recursive: true);
    }

    [Fact]
    public async Task Otlp_metrics_reach_a_collector_while_the_run_goes()
    {
        await using var gateway = await FakeGateway.StartAsync();
        await using var collector = await FakeCollector.StartAsync();
        var scenario = ScenarioFile.Parse(ScenarioJson("otlp", """[ { "duration": "4s", "rate": 5 } ]"""));
        var output = new OtlpOutput(collector.Url);
        await using (output)
        {
            var run = new LoadRunner(scenario, gateway.Url, outputs: [output]).RunAsync(null, CancellationToken.None);
            var seen = await Eventually(() => collector.Received.Any(r => r.Contains("lgsp.load.requests")), TimeSpan.FromSeconds(3));
            var whileRunning = !run.IsCompleted;
            await run;

            Assert.True(seen && whileRunning, $"metrics while running: {seen}, {whileRunning}");
        }
        Assert.All(collector.Received, r => Assert.Equal("application/x-protobuf", r.ContentType));
        Assert.Contains(collector.Received, r => r.Contains("lgsp.load.request.duration") && r.Contains("population.verify-identity") && r.Contains("lgsp-load"));
    }

    private static string ReadShared(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        return new StreamReader(stream).ReadToEnd();
    }

    /// <summary>Waits for a condition, checking every 50 ms, up to a deadline.</summary>
    private static async Task<bool> Eventually(Func<bool> condition, TimeSpan within)
    {
        var deadline = DateTime.UtcNow + within;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
                return false;
            await Task.Delay(50);
        }
        return true;
    }

    /// <summary>An OTLP/HTTP receiver on 127.0.0.1 that keeps what it was sent.</summary>
    private sealed class FakeCollector : IAsyncDisposable
    {
        private readonly WebApplication _app;

        private FakeCollector(WebApplication app) => _app = app;

        public ConcurrentQueue<Export> Received { get; } = new();

        public Uri Url => new(_app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());

        public static async Task<FakeCollector> StartAsync()
        {
            var builder = WebApplication.CreateSlimBuilder();
            builder.WebHost.UseUrls("http://127.0.0.1:0");
            builder.Logging.ClearProviders();
            var app = builder.Build();
            var collector = new FakeCollector(app);
            app.MapPost("/v1/metrics", async (HttpContext context) =>
            {
                using var body = new MemoryStream();
                await context.Request.Body.CopyToAsync(body);
                collector.Received.Enqueue(new Export(context.Request.ContentType ?? "", body.ToArray()));
                return Results.Ok();
            });
            await app.StartAsync();
            return collector;
        }

        public async ValueTask DisposeAsync()
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }

    /// <summary>One export: protobuf, whose strings (metric names, attribute values) are plain UTF-8 inside.</summary>
    private sealed record Export(string ContentType, byte[] Body)
    {
        public bool Contains(string text) => Body.AsSpan().IndexOf(Encoding.UTF8.GetBytes(text)) >= 0;
    }
}
