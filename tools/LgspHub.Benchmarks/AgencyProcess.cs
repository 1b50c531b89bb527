using System.Diagnostics;
using System.Net;
using System.Text;
using LgspHub.AgencyDefaults;
using LgspHub.ServiceDefaults;

namespace LgspHub.Benchmarks;

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

    /// <summary>The key this bench's agencies take as the gateway's: its client calls them directly, as the gateway would.</summary>
    public static readonly string GatewayKey = Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16));

    public static System.Net.Http.Headers.AuthenticationHeaderValue Credential =>
        AgencyCredentials.Header(AgencyCredentials.GatewayScheme, GatewayKey);

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
        // As ./lgsp starts an agency (Development, with its development settings), less the hub's collector (nothing to
        // send traces to here), with a gateway key of the bench's own.
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Development";
        start.Environment[$"{AgencyAccessOptions.Section}:{nameof(AgencyAccessOptions.GatewayKey)}".Replace(":", "__", StringComparison.Ordinal)] = GatewayKey;
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
