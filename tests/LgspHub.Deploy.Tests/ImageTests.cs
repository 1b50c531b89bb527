using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace LgspHub.Deploy.Tests;

/// <summary>The container image recipe, its build context and its healthcheck script (no Docker engine here: read and run, not built).</summary>
public partial class ImageTests
{
    private static readonly string Dockerfile = Repo.Read("deploy", "docker", "Dockerfile");
    private static readonly string Probe = Repo.PathOf("deploy", "docker", "lgsp-probe");
    private static readonly string[] SourceFolders = ["contracts", "services", "gateway"];

    private static readonly string[] NeededInContext =
    [
        "global.json", "Directory.Build.props", "Directory.Packages.props", "contracts/LgspHub.Contracts/PersonalId.cs",
        "services/LgspHub.Population/Program.cs", "gateway/LgspHub.Gateway/Operations/ops.html", "deploy/docker/lgsp-probe",
    ];

    private static readonly string[] LeftOutOfContext =
    [
        "services/LgspHub.Population/bin/Release/net10.0/LgspHub.Population.dll", "gateway/LgspHub.Gateway/obj/project.assets.json",
        ".lgsp/data/population.db", ".git/HEAD", "tests/LgspHub.Deploy.Tests/Repo.cs",
    ];

    [Fact]
    public void One_dockerfile_builds_any_host_on_the_sdk_and_runs_it_on_aspnet_as_a_non_root_user()
    {
        var version = ArgDefault().Match(Dockerfile).Groups[1].Value;
        var stages = FromLine().Matches(Dockerfile).Select(m => (Image: m.Groups[1].Value.Replace("${DOTNET_VERSION}", version, StringComparison.Ordinal), Stage: m.Groups[2].Value)).ToList();
        using var globalJson = JsonDocument.Parse(Repo.Read("global.json"));

        Assert.Equal([("mcr.microsoft.com/dotnet/sdk:10.0", "build"), ("mcr.microsoft.com/dotnet/aspnet:10.0", "runtime")], stages);
        // The SDK image must satisfy global.json (same major version, roll forward within it).
        Assert.StartsWith(version.Split('.')[0] + ".", globalJson.RootElement.GetProperty("sdk").GetProperty("version").GetString(), StringComparison.Ordinal);
        var runtime = Dockerfile[Dockerfile.LastIndexOf("\nFROM ", StringComparison.Ordinal)..];
        Assert.Contains("\nUSER $APP_UID\n", runtime, StringComparison.Ordinal);
        Assert.Contains("ARG PROJECT\n", Dockerfile, StringComparison.Ordinal);
        Assert.Contains("dotnet publish \"$PROJECT\"", Dockerfile, StringComparison.Ordinal);
        Assert.Contains("COPY --chmod=0755 deploy/docker/lgsp-probe /usr/local/bin/lgsp-probe", runtime, StringComparison.Ordinal);
    }

    [Fact]
    public void The_restore_layer_copies_every_project_a_host_can_reference()
    {
        var projects = SourceFolders
            .SelectMany(folder => Directory.EnumerateFiles(Repo.PathOf(folder), "*.csproj", SearchOption.AllDirectories))
            .Select(p => Path.GetRelativePath(Repo.Root, p).Replace('\\', '/'));

        // A project added without its line here would break `dotnet restore` in the image.
        Assert.All(projects, project => Assert.Contains($"COPY {project} {Path.GetDirectoryName(project)!.Replace('\\', '/')}/", Dockerfile, StringComparison.Ordinal));
        Assert.All(HubCode.Hosts, host => Assert.True(File.Exists(Repo.PathOf(host.Project, Path.GetFileName(host.Project) + ".csproj")), host.Project));
    }

    [Fact]
    public void The_build_context_sends_the_sources_and_leaves_build_output_and_state_out()
    {
        var rules = Repo.Read(".dockerignore").Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#')).ToList();

        foreach (var needed in NeededInContext)
            Assert.False(Ignored(rules, needed), $"{needed} is left out of the build context");
        foreach (var unwanted in LeftOutOfContext)
            Assert.True(Ignored(rules, unwanted), $"{unwanted} is sent to the builder");
    }

    [Fact]
    public async Task The_healthcheck_script_passes_on_200_and_fails_on_503_on_silence_and_on_a_closed_port()
    {
        using var server = new FakeHost();

        var ready = await ProbeAsync("/health/ready", server.Port);
        var failing = await ProbeAsync("/unhealthy", server.Port);
        var silent = await ProbeAsync("/silent", server.Port);
        var closed = await ProbeAsync("/health/ready", FreePort());

        Assert.True(ready.ExitCode == 0, ready.Output);
        Assert.Equal("GET /health/ready HTTP/1.0", server.RequestLines.First());
        Assert.Equal(1, failing.ExitCode);
        Assert.Contains("503", failing.Output, StringComparison.Ordinal);
        Assert.Equal(1, silent.ExitCode);
        Assert.Equal(1, closed.ExitCode);
    }

    private static Task<(int ExitCode, string Output)> ProbeAsync(string path, int port) =>
        Repo.RunAsync("bash", Repo.Root, TimeSpan.FromSeconds(30), [Probe, path, port.ToString(System.Globalization.CultureInfo.InvariantCulture)],
            new Dictionary<string, string> { ["LGSP_PROBE_TIMEOUT"] = "1" });

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Docker's rules: the last pattern that matches decides; "!" lets a path back in; "**" spans folders.</summary>
    private static bool Ignored(IEnumerable<string> rules, string path)
    {
        var ignored = false;
        foreach (var rule in rules)
        {
            var negated = rule.StartsWith('!');
            var pattern = rule.TrimStart('!').TrimEnd('/');
            var regex = "^" + Regex.Escape(pattern).Replace(@"\*\*/", "(?:.*/)?", StringComparison.Ordinal).Replace(@"\*", "[^/]*", StringComparison.Ordinal) + "(?:/.*)?$";
            if (Regex.IsMatch(path, regex))
                ignored = !negated;
        }
        return ignored;
    }

    [GeneratedRegex(@"^ARG DOTNET_VERSION=(\S+)$", RegexOptions.Multiline)]
    private static partial Regex ArgDefault();

    [GeneratedRegex(@"^FROM (\S+) AS (\S+)$", RegexOptions.Multiline)]
    private static partial Regex FromLine();

    /// <summary>A host on loopback: 200 on /health/ready, 503 on /unhealthy, nothing at all on /silent.</summary>
    private sealed class FakeHost : IDisposable
    {
        private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
        private readonly CancellationTokenSource _stop = new();
        private readonly List<TcpClient> _clients = [];

        public FakeHost()
        {
            _listener.Start();
            _ = Task.Run(ServeAsync);
        }

        public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

        public System.Collections.Concurrent.ConcurrentQueue<string> RequestLines { get; } = new();

        private async Task ServeAsync()
        {
            while (!_stop.IsCancellationRequested)
            {
                TcpClient client;
                try
                {
                    client = await _listener.AcceptTcpClientAsync(_stop.Token);
                }
                catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
                {
                    return;
                }
                lock (_clients)
                    _clients.Add(client);
                _ = Task.Run(() => AnswerAsync(client));
            }
        }

        private async Task AnswerAsync(TcpClient client)
        {
            try
            {
                var stream = client.GetStream();
                using var reader = new StreamReader(stream, Encoding.ASCII, leaveOpen: true);
                var requestLine = await reader.ReadLineAsync(_stop.Token) ?? "";
                RequestLines.Enqueue(requestLine);
                while (await reader.ReadLineAsync(_stop.Token) is { Length: > 0 })
                {
                }
                var path = requestLine.Split(' ').ElementAtOrDefault(1);
                if (path == "/silent")
                    return;
                var response = path == "/health/ready" ? "HTTP/1.1 200 OK\r\nContent-Length: 7\r\n\r\nHealthy" : "HTTP/1.1 503 Service Unavailable\r\nContent-Length: 9\r\n\r\nUnhealthy";
                await stream.WriteAsync(Encoding.ASCII.GetBytes(response), _stop.Token);
                client.Client.Shutdown(SocketShutdown.Send);
            }
            catch (Exception e) when (e is OperationCanceledException or IOException or ObjectDisposedException)
            {
            }
        }

        public void Dispose()
        {
            _stop.Cancel();
            _listener.Stop();
            lock (_clients)
                _clients.ForEach(c => c.Dispose());
            _stop.Dispose();
        }
    }
}
