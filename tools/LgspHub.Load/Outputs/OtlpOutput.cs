using System.Diagnostics;
using System.Diagnostics.Metrics;
using LgspHub.Contracts;
using LgspHub.Load.Reporting;
using LgspHub.Load.Running;
using LgspHub.Load.Scenarios;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;

namespace LgspHub.Load.Outputs;

/// <summary>
/// The run's metrics pushed over OTLP (HTTP, protobuf) to a collector or to Prometheus' OTLP receiver, every
/// second, so a run shows in Grafana beside the hub's own metrics. Labels: scenario, operation, outcome,
/// fault and check names only; never a path or a value of a request (personal data).
/// </summary>
public sealed class OtlpOutput : IRunOutput
{
    public const string MeterName = "LgspHub.Load";

    /// <summary>The bounds of the latency histogram, in seconds: 1 ms to 30 s, the range that matters (the SDK's default is 0 to 10,000).</summary>
    public static readonly double[] LatencyBuckets = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

    private readonly Uri _endpoint;
    private readonly TimeSpan _interval;
    private Meter? _meter;
    private MeterProvider? _provider;
    private Counter<long>? _requests, _checks, _arrivals, _dossiers;
    private Histogram<double>? _duration;
    private KeyValuePair<string, object?> _scenario;

    /// <param name="endpoint">The collector's base address (http://host:4318) or its full metrics URL (…/v1/metrics).</param>
    public OtlpOutput(Uri endpoint, TimeSpan? interval = null)
    {
        _endpoint = endpoint.AbsolutePath.TrimEnd('/').Length == 0 ? new Uri(endpoint, "/v1/metrics") : endpoint;
        _interval = interval ?? TimeSpan.FromSeconds(1);
    }

    public Uri Endpoint => _endpoint;

    public void Start(Scenario scenario, DateTimeOffset startedAt, Func<long> inFlight)
    {
        _scenario = new("scenario", scenario.Name);
        _meter = new Meter(MeterName);
        _requests = _meter.CreateCounter<long>("lgsp.load.requests", "{request}", "Requests sent, by operation and outcome (succeeded, rejected, failed, abandoned)");
        _duration = _meter.CreateHistogram<double>("lgsp.load.request.duration", "s", "From each request's intended send time to its answer");
        _checks = _meter.CreateCounter<long>("lgsp.load.checks", "{check}", "Checks on answers, by operation, check and result (pass, fail)");
        _arrivals = _meter.CreateCounter<long>("lgsp.load.arrivals", "{arrival}", "Arrivals of the open-model schedule, by result (started, dropped)");
        _dossiers = _meter.CreateCounter<long>("lgsp.load.dossiers", "{dossier}", "Dossiers followed to their end, by kind and end");
        _meter.CreateObservableGauge("lgsp.load.in_flight", () => new Measurement<long>(inFlight(), _scenario), "{flow}", "Flows in progress");
        _provider = Sdk.CreateMeterProviderBuilder()
            .ConfigureResource(r => r.AddService("lgsp-load").AddAttributes([new("lgsp.load.scenario", scenario.Name), new("lgsp.load.started_at", startedAt.ToString("O"))]))
            .AddMeter(MeterName)
            .AddView("lgsp.load.request.duration", new ExplicitBucketHistogramConfiguration { Boundaries = LatencyBuckets })
            .AddOtlpExporter((exporter, reader) =>
            {
                exporter.Endpoint = _endpoint;
                exporter.Protocol = OtlpExportProtocol.HttpProtobuf;
                reader.PeriodicExportingMetricReaderOptions.ExportIntervalMilliseconds = (int)_interval.TotalMilliseconds;
                reader.TemporalityPreference = MetricReaderTemporalityPreference.Cumulative;
            })
            .Build();
    }

    public void Request(RequestSample s)
    {
        var tags = new TagList { _scenario, { "operation", s.Operation }, { "outcome", Name(s.Outcome) }, { "fault", s.Fault ?? "none" } };
        _requests?.Add(1, tags);
        if (s.Outcome != Outcome.Abandoned)
            _duration?.Record(s.LatencyMs / 1000, _scenario, new("operation", s.Operation), new("outcome", Name(s.Outcome)));
    }

    public void Check(CheckSample s) =>
        _checks?.Add(1, _scenario, new("operation", s.Operation), new("check", s.Check), new("result", s.Passed ? "pass" : "fail"));

    public void Arrival(TimeSpan at, bool dropped) => _arrivals?.Add(1, _scenario, new("result", dropped ? "dropped" : "started"));

    public void Dossier(DossierResult d) => _dossiers?.Add(1, _scenario, new("kind", d.Kind), new("end", Name(d.End)));

    public Task EndAsync(RunResult result)
    {
        // The last second's figures too, before the process ends.
        _provider?.ForceFlush(5_000);
        return Task.CompletedTask;
    }

    public ValueTask DisposeAsync()
    {
        _provider?.Dispose();
        _meter?.Dispose();
        return ValueTask.CompletedTask;
    }

    private static string Name<T>(T value) where T : struct, Enum => System.Text.Json.JsonNamingPolicy.KebabCaseLower.ConvertName(value.ToString());
}
