using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using LgspHub.Gateway.Access;
using LgspHub.LocalHub;
using LgspHub.ServiceDefaults;
using Microsoft.Extensions.Configuration;
using LgspHub.Contracts;

namespace LgspHub.Gateway.Tests;

/// <summary>
/// The gateway started as a process in the Production environment, as an image runs it: without its keys, or with
/// the development ones, it refuses to start and says why; with keys of its own it starts.
/// </summary>
public sealed class ProductionStartTests : IDisposable
{
    private static readonly string Output = GatewayOutput();
    private readonly string _data = Directory.CreateTempSubdirectory("lgsp-production-").FullName;

    [Fact]
    public async Task Without_a_signing_key_or_a_subject_key_it_refuses_to_start_naming_both()
    {
        var (exitCode, output) = await RunUntilExitAsync(new Dictionary<string, string>());

        Assert.NotEqual(0, exitCode);
        Assert.Contains(HubSecrets.SigningKey, output, StringComparison.Ordinal);
        Assert.Contains(HubSecrets.SubjectKey, output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_the_agencies_keys_it_refuses_to_start_naming_each()
    {
        var settings = OwnKeys();
        settings.Remove(Variable($"{AgencyCredentialOptions.Section}:{nameof(AgencyCredentialOptions.GatewayKeys)}:land"));
        settings.Remove(Variable($"{AgencyCredentialOptions.Section}:{nameof(AgencyCredentialOptions.OperatorKey)}"));

        var (exitCode, output) = await RunUntilExitAsync(settings);

        Assert.NotEqual(0, exitCode);
        Assert.Contains($"{AgencyCredentialOptions.Section}:{nameof(AgencyCredentialOptions.GatewayKeys)}:land", output, StringComparison.Ordinal);
        Assert.Contains($"{AgencyCredentialOptions.Section}:{nameof(AgencyCredentialOptions.OperatorKey)}", output, StringComparison.Ordinal);
        Assert.DoesNotContain($"{nameof(AgencyCredentialOptions.GatewayKeys)}:population", output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Lgsp:Records:SubjectKey")]
    [InlineData("Lgsp:AgencyCredentials:GatewayKeys:population")]
    [InlineData("Lgsp:AgencyCredentials:OperatorKey")]
    [InlineData("Lgsp:Consumers:playground.developer:SecretHash")]
    public async Task With_a_development_key_or_secret_it_refuses_to_start_naming_it(string key)
    {
        var settings = OwnKeys();
        // A development consumer copied under another name is still the development secret.
        var target = key.Replace("playground.developer", "copied.consumer", StringComparison.Ordinal);
        settings[Variable(target)] = DevelopmentValue(key);
        if (key.Contains("Consumers", StringComparison.Ordinal))
            settings[Variable("Lgsp:Consumers:copied.consumer:Rights:0")] = "*";

        var (exitCode, output) = await RunUntilExitAsync(settings);

        Assert.NotEqual(0, exitCode);
        Assert.Contains("development secrets", output, StringComparison.Ordinal);
        Assert.Contains(target, output, StringComparison.Ordinal);
        Assert.DoesNotContain(DevelopmentValue(key), output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task With_keys_of_its_own_it_starts_and_loads_no_development_consumer()
    {
        var port = FreePort();
        var settings = OwnKeys();
        settings["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}";
        using var gateway = Start(settings);
        // Drained as it comes, so the gateway never waits on a full pipe.
        var log = new System.Collections.Concurrent.ConcurrentQueue<string>();
        gateway.OutputDataReceived += (_, line) => log.Enqueue(line.Data ?? "");
        gateway.ErrorDataReceived += (_, line) => log.Enqueue(line.Data ?? "");
        gateway.BeginOutputReadLine();
        gateway.BeginErrorReadLine();
        using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(5) };
        try
        {
            var deadline = Stopwatch.StartNew();
            while (!await LiveAsync(client))
            {
                Assert.False(gateway.HasExited, "the gateway exited:\n" + string.Join('\n', log));
                Assert.True(deadline.Elapsed < TimeSpan.FromSeconds(60), "the gateway did not start within 60 s");
                await Task.Delay(200);
            }

            var token = await client.PostAsync("/connect/token", new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["grant_type"] = "client_credentials", ["client_id"] = "playground.developer", ["client_secret"] = "playground-dev-secret",
            }));
            Assert.Equal(HttpStatusCode.Unauthorized, token.StatusCode);
        }
        finally
        {
            gateway.Kill(entireProcessTree: true);
            await gateway.WaitForExitAsync();
        }
    }

    /// <summary>Fresh keys for everything the gateway needs, its own record database and a free port.</summary>
    private static Dictionary<string, string> OwnKeys()
    {
        var settings = new Dictionary<string, string>
        {
            [Variable(HubSecrets.SigningKey)] = TokenSigningKey.NewKey(),
            [Variable(HubSecrets.SubjectKey)] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)),
            [Variable($"{AgencyCredentialOptions.Section}:{nameof(AgencyCredentialOptions.OperatorKey)}")] = Convert.ToHexString(RandomNumberGenerator.GetBytes(16)),
        };
        foreach (var agency in HubAgencies.All)
            settings[Variable($"{AgencyCredentialOptions.Section}:{nameof(AgencyCredentialOptions.GatewayKeys)}:{agency}")] = Convert.ToHexString(RandomNumberGenerator.GetBytes(16));
        return settings;
    }

    private async Task<(int ExitCode, string Output)> RunUntilExitAsync(Dictionary<string, string> settings)
    {
        settings["ASPNETCORE_URLS"] = $"http://127.0.0.1:{FreePort()}";
        using var gateway = Start(settings);
        var output = gateway.StandardOutput.ReadToEndAsync();
        var error = gateway.StandardError.ReadToEndAsync();
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            await gateway.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            gateway.Kill(entireProcessTree: true);
            await gateway.WaitForExitAsync();
            return (0, "the gateway kept running for 60 s: it started\n" + await output + await error);
        }
        return (gateway.ExitCode, await output + await error);
    }

    private Process Start(Dictionary<string, string> settings)
    {
        var start = new ProcessStartInfo("dotnet", ["LgspHub.Gateway.dll"])
        {
            WorkingDirectory = Output,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        // As an image runs it: no environment named, so Production; nothing inherited from a development shell.
        foreach (var name in new[] { "ASPNETCORE_ENVIRONMENT", "DOTNET_ENVIRONMENT", "OTEL_EXPORTER_OTLP_ENDPOINT" })
            start.Environment.Remove(name);
        start.Environment["ConnectionStrings__database"] = $"Data Source={Path.Combine(_data, "gateway.db")}";
        foreach (var (name, value) in settings)
            start.Environment[name] = value;
        return Process.Start(start) ?? throw new InvalidOperationException("the gateway did not start");
    }

    private static async Task<bool> LiveAsync(HttpClient client)
    {
        try
        {
            return (await client.GetAsync("/health/live")).IsSuccessStatusCode;
        }
        catch (HttpRequestException)
        {
            return false;
        }
    }

    private static string DevelopmentValue(string key) =>
        new ConfigurationBuilder().AddJsonFile(Path.Combine(Output, DevelopmentConfiguration.FileName)).Build()[key]
            ?? throw new InvalidOperationException($"{DevelopmentConfiguration.FileName} has no {key}");

    private static string Variable(string key) => key.Replace(":", "__", StringComparison.Ordinal);

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>The gateway's own build output, in the configuration this test assembly was built in.</summary>
    private static string GatewayOutput() =>
        HubRepository.Find().Gateway.BuildDirectory(new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Parent!.Name);

    public void Dispose() => Directory.Delete(_data, recursive: true);
}
