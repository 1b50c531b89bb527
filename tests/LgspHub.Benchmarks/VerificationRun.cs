using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;
using HdrHistogram;
using LgspHub.ServiceDefaults.Seeding;

namespace LgspHub.Benchmarks;

/// <summary>One open-model run against one agency: latencies from each request's intended send time.</summary>
public sealed record OfferResult(int Sent, int Failed, double P50Ms, double P99Ms, double MaxMs);

/// <summary>
/// A population agency started from its build for the benchmark, on 127.0.0.1 with its own data folder and seed,
/// stopped (its whole process tree) when disposed.
/// </summary>
public sealed class AgencyProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _folder;
    private readonly StringBuilder _log = new();

    private AgencyProcess(Process process, string folder, Uri url, int citizens)
    {
        _process = process;
        _folder = folder;
        Url = url;
        Citizens = citizens;
    }

    public Uri Url { get; }

    public int Citizens { get; }

    public string DatabaseFile => Path.Combine(_folder, "population.db");

    public static AgencyProcess Start(string dll, int port, int citizens, Uri broker)
    {
        var folder = Directory.CreateTempSubdirectory("lgsp-bench-data-").FullName;
        var url = new Uri($"http://127.0.0.1:{port}");
        var start = new ProcessStartInfo("dotnet", [dll])
        {
            WorkingDirectory = Path.GetDirectoryName(dll)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        // As ./lgsp starts an agency, less the hub's collector (nothing to send traces to here).
        start.Environment["ASPNETCORE_URLS"] = url.ToString();
        start.Environment["ConnectionStrings__rabbitmq"] = broker.ToString();
        start.Environment["ConnectionStrings__database"] = $"Data Source={Path.Combine(folder, "population.db")}";
        start.Environment["Seed__Citizens"] = citizens.ToString(System.Globalization.CultureInfo.InvariantCulture);
        start.Environment.Remove("OTEL_EXPORTER_OTLP_ENDPOINT");
        var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {dll}");
        var agency = new AgencyProcess(process, folder, url, citizens);
        process.OutputDataReceived += (_, e) => agency.Append(e.Data);
        process.ErrorDataReceived += (_, e) => agency.Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return agency;
    }

    /// <summary>Until /health/ready answers 200; how long that took from now.</summary>
    public async Task<TimeSpan> WaitReadyAsync(HttpClient client, TimeSpan timeout)
    {
        var started = Stopwatch.GetTimestamp();
        while (true)
        {
            if (_process.HasExited)
                throw new InvalidOperationException($"the agency on {Url} exited ({_process.ExitCode}):\n{Tail()}");
            try
            {
                using var response = await client.GetAsync(new Uri(Url, "/health/ready"));
                if (response.StatusCode == HttpStatusCode.OK)
                    return Stopwatch.GetElapsedTime(started);
            }
            catch (HttpRequestException)
            {
                // Not listening yet: it is still seeding.
            }
            if (Stopwatch.GetElapsedTime(started) > timeout)
                throw new TimeoutException($"the agency on {Url} was not ready within {timeout.TotalSeconds:N0} s (LGSP_DATA_START_TIMEOUT):\n{Tail()}");
            await Task.Delay(250);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await _process.WaitForExitAsync(deadline.Token);
        }
        _process.Dispose();
        Directory.Delete(_folder, recursive: true);
    }

    private void Append(string? line)
    {
        if (line is null)
            return;
        lock (_log)
            _log.AppendLine(line);
    }

    private string Tail()
    {
        lock (_log)
            return string.Join('\n', _log.ToString().Split('\n').TakeLast(20));
    }
}

/// <summary>Identity verification offered at a fixed rate (an open model: the agency's slowness does not slow the offer).</summary>
public static class VerificationLoad
{
    /// <summary>Requests for identities that exist, picked uniformly over the whole seed so a large one is read all over.</summary>
    public static byte[][] Pool(int citizens, int count, int seed)
    {
        var province = new SyntheticProvince(new SeedOptions { Citizens = citizens });
        var random = new Random(seed);
        return Enumerable.Range(0, count).Select(_ =>
        {
            var citizen = province.Citizen(random.Next(citizens));
            return JsonSerializer.SerializeToUtf8Bytes(new
            {
                personalId = citizen.PersonalId.Value,
                fullName = citizen.FullName,
                dateOfBirth = citizen.DateOfBirth.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
            });
        }).ToArray();
    }

    public static async Task<OfferResult> OfferAsync(HttpClient client, Uri agency, byte[][] pool, int rate, TimeSpan duration)
    {
        var url = new Uri(agency, "/api/population/identity-verifications");
        var total = (int)(rate * duration.TotalSeconds);
        // Microseconds, up to a minute (requests time out after 10 s).
        var histogram = new LongHistogram(1, 60_000_000, 3);
        var failed = 0;
        var sends = new List<Task>(total);
        var start = Stopwatch.GetTimestamp();
        for (var i = 0; i < total; i++)
        {
            var intended = start + i * Stopwatch.Frequency / rate;
            var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), intended);
            if (wait > TimeSpan.FromMilliseconds(1))
                await Task.Delay(wait);
            // Sent up to a timer tick early at worst: then timed from when it went.
            sends.Add(SendAsync(pool[i % pool.Length], Math.Max(intended, Stopwatch.GetTimestamp())));
        }
        // Every request ends within the client's timeout, so this wait is bounded.
        await Task.WhenAll(sends);
        return new OfferResult(total, failed, Ms(histogram.GetValueAtPercentile(50)), Ms(histogram.GetValueAtPercentile(99)), Ms(histogram.GetMaxValue()));

        async Task SendAsync(byte[] body, long from)
        {
            var ok = false;
            try
            {
                using var content = new ByteArrayContent(body);
                content.Headers.ContentType = new("application/json");
                using var response = await client.PostAsync(url, content);
                // Every identity in the pool exists: anything but a match is a failure.
                ok = response.StatusCode == HttpStatusCode.OK
                    && (await response.Content.ReadAsStringAsync()).Contains("\"matches\":true", StringComparison.Ordinal);
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
            }
            // From when it should have been sent: a request held up behind a slow one is counted as slow (no coordinated omission).
            var latency = Math.Clamp(Stopwatch.GetElapsedTime(from).Ticks / 10, 1, 60_000_000);
            lock (histogram)
            {
                histogram.RecordValue(latency);
                if (!ok)
                    failed++;
            }
        }
    }

    private static double Ms(long microseconds) => microseconds / 1_000.0;
}
