using System.Text.Json;
using System.Threading.Channels;
using LgspHub.Load.Reporting;
using LgspHub.Load.Running;
using LgspHub.Load.Scenarios;

namespace LgspHub.Load.Outputs;

/// <summary>
/// JSON lines as the run goes, to a file or standard output: one "interval" line a second (counts and
/// percentiles of what was answered in it, overall and by operation), or with <c>samples</c> one line per
/// request and per check as k6's JSON output writes them; "threshold" lines when one fails live; an "end" line.
/// One writer drains a queue, so callers on the hot path never wait for the disk.
/// </summary>
public sealed class JsonLinesOutput : IRunOutput
{
    private static readonly JsonSerializerOptions Options = new(RunResult.JsonOptions) { WriteIndented = false };
    private readonly Channel<object> _lines = Channel.CreateUnbounded<object>(new UnboundedChannelOptions { SingleReader = true });
    private readonly TextWriter _writer;
    private readonly bool _ownsWriter;
    private readonly bool _samples;
    private readonly Task _writing;
    private DateTimeOffset _startedAt = DateTimeOffset.UtcNow;

    public JsonLinesOutput(TextWriter writer, bool samples, bool ownsWriter)
    {
        (_writer, _samples, _ownsWriter) = (writer, samples, ownsWriter);
        _writing = WriteAsync();
    }

    public static JsonLinesOutput ToFile(string path, bool samples)
    {
        if (Path.GetDirectoryName(Path.GetFullPath(path)) is { } folder)
            Directory.CreateDirectory(folder);
        return new JsonLinesOutput(new StreamWriter(path, append: false), samples, ownsWriter: true);
    }

    public void Start(Scenario scenario, DateTimeOffset startedAt, Func<long> inFlight)
    {
        _startedAt = startedAt;
        Write(new { type = "start", time = startedAt, scenario = scenario.Name, durationSeconds = scenario.Duration.TotalSeconds, drainSeconds = scenario.Drain.TotalSeconds });
    }

    public void Request(RequestSample s)
    {
        if (_samples)
            Write(new { type = "request", time = Time(s.At), s.Operation, s.Outcome, s.Status, s.Fault, s.LatencyMs });
    }

    public void Check(CheckSample s)
    {
        if (_samples)
            Write(new { type = "check", time = Time(s.At), s.Operation, s.Check, s.Passed });
    }

    public void Dossier(DossierResult d)
    {
        if (_samples)
            Write(new { type = "dossier", time = DateTimeOffset.UtcNow, d.Kind, d.End, d.OnTime, d.CompletionSeconds });
    }

    public void Interval(IntervalFigures f) => Write(new { type = "interval", time = Time(TimeSpan.FromSeconds(f.ToSeconds)), f.FromSeconds, f.ToSeconds, f.Offered, f.Dropped, f.InFlight, f.All, f.Operations });

    public void ThresholdFailed(TimeSpan at, string threshold, double? actual, bool aborts) =>
        Write(new { type = "threshold", time = Time(at), threshold, actual, passed = false, aborts });

    public async Task EndAsync(RunResult result)
    {
        Write(new { type = "end", time = DateTimeOffset.UtcNow, result.Passed, result.AbortedBy, result.Offered, result.Dropped, result.Overall, result.Thresholds });
        _lines.Writer.TryComplete();
        await _writing;
    }

    public async ValueTask DisposeAsync()
    {
        _lines.Writer.TryComplete();
        await _writing;
        if (_ownsWriter)
            await _writer.DisposeAsync();
    }

    private DateTimeOffset Time(TimeSpan at) => _startedAt + at;

    private void Write(object line) => _lines.Writer.TryWrite(line);

    private async Task WriteAsync()
    {
        var reader = _lines.Reader;
        while (await reader.WaitToReadAsync())
        {
            while (reader.TryRead(out var line))
                await _writer.WriteLineAsync(JsonSerializer.Serialize(line, Options));
            // Flushed whenever the queue is empty: a line is readable as soon as it is written.
            await _writer.FlushAsync();
        }
    }
}
