using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Runtime.InteropServices;
using System.Text.Json;

namespace LgspHub.Benchmarks.Gateway;

/// <summary>
/// One run of a wrk bench against the running hub: its preconditions, the processes it starts (stopped when it ends,
/// on an error, or at SIGINT, SIGTERM or SIGHUP), and the calls it makes to check them before measuring.
/// </summary>
public sealed class WrkSession : IAsyncDisposable
{
    // The consumer the load generator signs in as (gateway/LgspHub.Gateway/appsettings.Development.json): every
    // right and no practical rate limit. Development credentials.
    private const string LoadClientId = "lgsp.load";
    private const string LoadSecret = "lgsp-dev-secret";

    private readonly List<BenchProcess> _processes = [];
    private readonly HttpClient _http = new(new SocketsHttpHandler { UseCookies = false }) { Timeout = Timeout.InfiniteTimeSpan };

    private WrkSession(string bench, BenchHub hub, WrkKnobs knobs, CancellationToken stopping)
    {
        Bench = bench;
        Hub = hub;
        Knobs = knobs;
        Stopping = stopping;
        GatewayPort = hub.Gateway.Port;
        LandPort = hub.Land.Port;
        Rounds = new WrkRounds(hub, knobs, bench);
    }

    public string Bench { get; }

    public BenchHub Hub { get; }

    public WrkKnobs Knobs { get; }

    public WrkRounds Rounds { get; }

    public CancellationToken Stopping { get; }

    /// <summary>The hub's gateway, as `./lgsp up` runs it.</summary>
    public int GatewayPort { get; }

    public int LandPort { get; }

    /// <summary>Runs <paramref name="body"/> once wrk (and nginx) are there and the hub answers; exit code 0, 1 on an error, 2 on a bad knob, 130 when stopped.</summary>
    public static async Task<int> RunAsync(string bench, int defaultRounds, IReadOnlyList<string> tools, Func<WrkSession, Task> body)
    {
        using var stop = new CancellationTokenSource();
        var signals = new[] { PosixSignal.SIGINT, PosixSignal.SIGTERM, PosixSignal.SIGHUP }
            .Select(signal => PosixSignalRegistration.Create(signal, context => { context.Cancel = true; stop.Cancel(); }))
            .ToList();
        try
        {
            WrkKnobs knobs;
            try
            {
                knobs = WrkKnobs.FromEnvironment(Environment.GetEnvironmentVariable, defaultRounds);
            }
            catch (FormatException e)
            {
                Console.Error.WriteLine($"bench {bench}: error: {e.Message}");
                return 2;
            }
            if (tools.FirstOrDefault(tool => !File.Exists(tool)) is { } missing)
                throw new BenchException($"{Path.GetFileName(missing)} is not installed (./lgsp bench installs it)");

            await using var session = new WrkSession(bench, BenchHub.Find(), knobs, stop.Token);
            await session.RequireHubAsync();
            await body(session);
            return 0;
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            Console.Error.WriteLine($"bench {bench}: interrupted");
            return 130;
        }
        catch (BenchException e)
        {
            Console.Error.WriteLine($"bench {bench}: error: {e.Message}");
            return 1;
        }
        finally
        {
            signals.ForEach(s => s.Dispose());
        }
    }

    private async Task RequireHubAsync()
    {
        if (await StatusAsync(new Uri($"http://127.0.0.1:{GatewayPort}/health/ready"), [], TimeSpan.FromSeconds(5)) != HttpStatusCode.OK)
            throw new BenchException($"the hub is not running (no answer from its gateway's /health/ready on 127.0.0.1:{GatewayPort}): start it with ./lgsp up --detach (default seed), then run the bench");
        if (!File.Exists(Path.Combine(Hub.GatewayBuild, BenchHub.GatewayDll)))
            throw new BenchException($"the gateway is not built ({Hub.GatewayBuild}; ./lgsp up builds it)");
        Directory.CreateDirectory(Hub.Bench);
        Directory.CreateDirectory(Hub.Logs);
    }

    public BenchProcess StartGateway(string name, int port, IEnumerable<KeyValuePair<string, string>> settings, string? build = null) =>
        Track(GatewayProcess.Start(Hub, name, port, settings, build));

    public async Task<BenchProcess> StartNginxAsync(int port) =>
        Track(await NginxProxy.StartAsync(Hub, port, LandPort, Hub.LandGatewayKey(), Stopping));

    /// <summary>Until <paramref name="url"/> answers 200 (30 s), or the process has exited.</summary>
    public async Task WaitReadyAsync(BenchProcess process, Uri url)
    {
        var started = Stopwatch.GetTimestamp();
        while (await StatusAsync(url, [], TimeSpan.FromSeconds(2)) != HttpStatusCode.OK)
        {
            if (process.HasExited || Stopwatch.GetElapsedTime(started) > TimeSpan.FromSeconds(30))
                throw new BenchException($"{process.Name} did not start (see {process.LogFile}):\n{process.Tail()}");
            await Task.Delay(500, Stopping);
        }
    }

    /// <summary>One request must answer 200, or the bench stops before measuring anything.</summary>
    public async Task CheckAsync(WrkTarget target)
    {
        if (await StatusAsync(target.Url, target.Headers, TimeSpan.FromSeconds(10)) is var status and not HttpStatusCode.OK)
            throw new BenchException($"{target.Name} ({target.Url}) does not answer 200 ({(status is { } s ? (int)s : "no answer")}): the bench needs the default seed");
    }

    /// <summary>A token of the load consumer from a gateway (client credentials).</summary>
    public async Task<string> TokenAsync(int port)
    {
        var url = new Uri($"http://127.0.0.1:{port}/connect/token");
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Stopping);
            timeout.CancelAfter(TimeSpan.FromSeconds(10));
            using var response = await _http.PostAsync(url, new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["grant_type"] = "client_credentials",
                ["client_id"] = LoadClientId,
                ["client_secret"] = LoadSecret,
            }), timeout.Token);
            if (response.IsSuccessStatusCode
                && (await response.Content.ReadFromJsonAsync<JsonElement>(timeout.Token)).TryGetProperty("access_token", out var token)
                && token.GetString() is { Length: > 0 } value)
                return value;
            throw new BenchException($"no token from {url} for {LoadClientId}: HTTP {(int)response.StatusCode}");
        }
        catch (Exception e) when (e is HttpRequestException or JsonException || e is OperationCanceledException && !Stopping.IsCancellationRequested)
        {
            throw new BenchException($"no token from {url} for {LoadClientId}: {e.Message}");
        }
    }

    /// <summary>A fresh signing key from the hub's gateway build (`LgspHub.Gateway.dll new-signing-key`).</summary>
    public async Task<string> NewSigningKeyAsync()
    {
        using var process = Process.Start(new ProcessStartInfo("dotnet", [BenchHub.GatewayDll, "new-signing-key"])
        {
            WorkingDirectory = Hub.GatewayBuild,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        }) ?? throw new BenchException("could not run dotnet");
        var output = process.StandardOutput.ReadToEndAsync(Stopping);
        var errors = process.StandardError.ReadToEndAsync(Stopping);
        await process.WaitForExitAsync(Stopping);
        var key = (await output).Trim();
        if (process.ExitCode != 0 || key.Length == 0)
            throw new BenchException($"the gateway made no signing key: {(await errors).Trim()}");
        return key;
    }

    /// <summary>Stops every process the bench started (before the report, and in any case when the session ends).</summary>
    public async Task StopProcessesAsync()
    {
        foreach (var process in _processes)
            await process.DisposeAsync();
        _processes.Clear();
    }

    public async ValueTask DisposeAsync()
    {
        await StopProcessesAsync();
        _http.Dispose();
    }

    private BenchProcess Track(BenchProcess process)
    {
        _processes.Add(process);
        return process;
    }

    /// <summary>The status of a GET, or null when nothing answered in time.</summary>
    private async Task<HttpStatusCode?> StatusAsync(Uri url, IReadOnlyList<KeyValuePair<string, string>> headers, TimeSpan timeout)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(Stopping);
        deadline.CancelAfter(timeout);
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        foreach (var (name, value) in headers)
            request.Headers.TryAddWithoutValidation(name, value);
        try
        {
            using var response = await _http.SendAsync(request, deadline.Token);
            return response.StatusCode;
        }
        catch (Exception e) when (e is HttpRequestException || e is OperationCanceledException && !Stopping.IsCancellationRequested)
        {
            return null;
        }
    }
}
