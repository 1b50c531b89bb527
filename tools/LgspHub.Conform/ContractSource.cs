using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace LgspHub.Conform;

/// <summary>
/// Where the agency's OpenAPI document comes from: the hub's contract, never what the system under test says of
/// itself. By default the hub's own mock of the agency, started for a moment from its build (a database of its own in
/// a temporary folder, no broker), serves it; a URL or a file may be named instead (the mock of a running hub, a
/// document kept by hand).
/// </summary>
public static class ContractSource
{
    private static readonly TimeSpan MockStartTimeout = TimeSpan.FromSeconds(60);

    /// <returns>The document's text and a description of where it came from.</returns>
    public static async Task<(string Json, string From)> LoadAsync(string agency, string? contract, string? mockAssembly, CancellationToken cancellationToken)
    {
        if (contract is { Length: > 0 })
        {
            if (Uri.TryCreate(contract, UriKind.Absolute, out var url) && url.Scheme is "http" or "https")
                return (await FetchAsync(url, cancellationToken), url.ToString());
            if (!File.Exists(contract))
                throw new ConformException($"--contract {contract}: no such file or URL");
            return (await File.ReadAllTextAsync(contract, cancellationToken), Path.GetFullPath(contract));
        }
        if (mockAssembly is not { Length: > 0 } || !File.Exists(mockAssembly))
            throw new ConformException($"no contract: name --contract (a URL or file) or --mock (the hub's build of {agency}: {mockAssembly ?? "not given"})");
        return (await FromMockAsync(agency, mockAssembly, cancellationToken), $"the hub's mock {agency} ({Path.GetFileName(mockAssembly)})");
    }

    private static async Task<string> FetchAsync(Uri url, CancellationToken cancellationToken)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(15) };
        try
        {
            using var response = await http.GetAsync(url, cancellationToken);
            if (!response.IsSuccessStatusCode)
                throw new ConformException($"the contract {url} answered {(int)response.StatusCode}");
            return await response.Content.ReadAsStringAsync(cancellationToken);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            throw new ConformException($"the contract {url} does not answer: {e.Message}", e);
        }
    }

    private static async Task<string> FromMockAsync(string agency, string assembly, CancellationToken cancellationToken)
    {
        var folder = Directory.CreateTempSubdirectory("lgsp-conform-").FullName;
        var url = new Uri($"http://127.0.0.1:{FreePort()}");
        var start = new ProcessStartInfo("dotnet", [Path.GetFullPath(assembly)])
        {
            WorkingDirectory = Path.GetDirectoryName(Path.GetFullPath(assembly))!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        // Development: the mock's own development keys let it start; a few citizens, a database of its own, and a
        // broker that is not there (the document needs none).
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Development";
        start.Environment["ASPNETCORE_URLS"] = url.ToString();
        start.Environment["ConnectionStrings__database"] = $"Data Source={Path.Combine(folder, agency + ".db")}";
        start.Environment["ConnectionStrings__rabbitmq"] = "amqp://guest:guest@127.0.0.1:1/";
        start.Environment["Seed__Citizens"] = "20";
        start.Environment["OTEL_SDK_DISABLED"] = "true";
        using var process = Process.Start(start) ?? throw new ConformException($"could not start {assembly}");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            using var http = new HttpClient { BaseAddress = url, Timeout = TimeSpan.FromSeconds(5) };
            var deadline = DateTime.UtcNow + MockStartTimeout;
            while (true)
            {
                if (process.HasExited)
                    throw new ConformException($"the hub's mock {agency} ({assembly}) exited with {process.ExitCode} before serving its document");
                try
                {
                    using var response = await http.GetAsync($"/api/{agency}/openapi/{LgspHub.ServiceDefaults.OpenApi.HubOpenApi.ConsumerDocument}.json", cancellationToken);
                    if (response.StatusCode == HttpStatusCode.OK)
                        return await response.Content.ReadAsStringAsync(cancellationToken);
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
                {
                }
                if (DateTime.UtcNow > deadline)
                    throw new ConformException($"the hub's mock {agency} did not serve its document within {MockStartTimeout.TotalSeconds:0} s");
                await Task.Delay(200, cancellationToken);
            }
        }
        finally
        {
            if (!process.HasExited)
                process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(CancellationToken.None);
            try { Directory.Delete(folder, recursive: true); } catch (IOException) { }
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
