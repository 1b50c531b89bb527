using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;

namespace LgspHub.EndToEnd.Tests;

/// <summary>
/// Debian's Prometheus (the prometheus package, as promtool for the deploy tests) as its own process, on a free
/// port, with deploy/prometheus/prometheus.yml pointed at the suite's hosts, scraping every second, and the hub's rules.
/// </summary>
public sealed class PrometheusServer : IAsyncDisposable
{
    private static readonly string Deploy = Path.Combine(HubLayout.RepositoryRoot, "deploy", "prometheus");
    private const string RulesFile = "lgsp-slo.rules.yml";

    private readonly Process _process;
    private readonly string _directory;
    private readonly HttpClient _http;

    private PrometheusServer(Process process, string directory, Uri url)
    {
        _process = process;
        _directory = directory;
        _http = new HttpClient { BaseAddress = url, Timeout = TimeSpan.FromSeconds(10) };
    }

    /// <param name="targets">The hosts of ./lgsp up's configuration (127.0.0.1:5080 …) by the address the suite runs each on.</param>
    public static async Task<PrometheusServer> StartAsync(IReadOnlyDictionary<string, Uri> targets)
    {
        var directory = Directory.CreateTempSubdirectory("lgsp-prometheus-").FullName;
        var config = File.ReadAllText(Path.Combine(Deploy, "prometheus.yml"));
        config = Replace(config, "scrape_interval: 15s", "scrape_interval: 1s");
        config = Replace(config, "evaluation_interval: 30s", "evaluation_interval: 1s");
        foreach (var (target, address) in targets)
            config = Replace(config, $"\"{target}\"", $"\"{address.Authority}\"");
        File.WriteAllText(Path.Combine(directory, "prometheus.yml"), config);
        File.Copy(Path.Combine(Deploy, RulesFile), Path.Combine(directory, RulesFile));

        var url = new Uri($"http://127.0.0.1:{HubFixture.FreePort()}");
        var start = new ProcessStartInfo("prometheus")
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            ArgumentList =
            {
                "--config.file=prometheus.yml",
                $"--storage.tsdb.path={Path.Combine(directory, "data")}",
                $"--web.listen-address={url.Authority}",
                "--log.level=warn",
            },
        };
        var process = Process.Start(start) ?? throw new InvalidOperationException("prometheus did not start (Debian's prometheus package).");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var server = new PrometheusServer(process, directory, url);
        await Eventually.True(async () => !process.HasExited && (await server._http.GetAsync("/-/ready")).IsSuccessStatusCode,
            TimeSpan.FromSeconds(30), "Prometheus to be ready");
        return server;
    }

    /// <summary>An instant query; the answer's data.result, or the error Prometheus gave (a query that does not parse among them).</summary>
    public async Task<JsonElement[]> QueryAsync(string expression, DateTimeOffset? at = null)
    {
        var query = new Dictionary<string, string> { ["query"] = expression };
        if (at is { } time)
            query["time"] = (time.ToUnixTimeMilliseconds() / 1000.0).ToString(CultureInfo.InvariantCulture);
        var response = await _http.PostAsync("/api/v1/query", new FormUrlEncodedContent(query));
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        if (!response.IsSuccessStatusCode || body.GetProperty("status").GetString() != "success")
            throw new InvalidOperationException($"Prometheus refused \"{expression}\": {body.GetRawText()}");
        var data = body.GetProperty("data");
        if (data.GetProperty("resultType").GetString() == "scalar")
            return [JsonDocument.Parse($$"""{"metric":{},"value":{{data.GetProperty("result").GetRawText()}}}""").RootElement];
        return data.GetProperty("result").EnumerateArray().ToArray();
    }

    /// <summary>The value of an instant vector's sample.</summary>
    public static double Value(JsonElement sample) => sample.GetProperty("value")[1].GetString() switch
    {
        "+Inf" => double.PositiveInfinity,
        "-Inf" => double.NegativeInfinity,
        var text => double.Parse(text!, NumberStyles.Float, CultureInfo.InvariantCulture),
    };

    public static string Label(JsonElement sample, string name) =>
        sample.GetProperty("metric").TryGetProperty(name, out var value) ? value.GetString()! : "";

    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await _process.WaitForExitAsync(deadline.Token);
        }
        _process.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    private static string Replace(string text, string what, string with) =>
        text.Contains(what, StringComparison.Ordinal)
            ? text.Replace(what, with, StringComparison.Ordinal)
            : throw new InvalidOperationException($"deploy/prometheus/prometheus.yml no longer has {what}: the test cannot point it at the suite's hub.");
}
