using System.Text.Json;
using System.Text.RegularExpressions;
using System.Xml.Linq;

namespace LgspHub.Deploy.Tests;

/// <summary>A host of the hub as the code defines it: its project folder and its default port.</summary>
internal sealed record HubHost(string Name, string Project, int Port)
{
    public bool IsGateway => Name == "gateway";
}

/// <summary>
/// What the deployment files must agree with, read from the code and its configuration, never restated:
/// the hosts, their ports, the gateway's clusters and the configuration keys each host reads.
/// </summary>
internal static partial class HubCode
{
    public static readonly IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>> GatewayClusters = ReadGatewayClusters();

    /// <summary>The gateway and every agency (a services/ project whose host joins the bus), with their ports.</summary>
    public static readonly IReadOnlyList<HubHost> Hosts = ReadHosts();

    public static IEnumerable<HubHost> Agencies => Hosts.Where(h => !h.IsGateway);

    public static HubHost Host(string name) => Hosts.Single(h => h.Name == name);

    /// <summary>The host whose project is <paramref name="project"/> (a path relative to the repository root).</summary>
    public static HubHost? HostOfProject(string? project) =>
        Hosts.SingleOrDefault(h => string.Equals(h.Project, project?.Trim('/'), StringComparison.Ordinal));

    private static Dictionary<string, IReadOnlyDictionary<string, string>> ReadGatewayClusters()
    {
        using var settings = JsonDocument.Parse(Repo.Read("gateway", "LgspHub.Gateway", "appsettings.json"));
        return settings.RootElement.GetProperty("ReverseProxy").GetProperty("Clusters").EnumerateObject().ToDictionary(
            cluster => cluster.Name,
            cluster => (IReadOnlyDictionary<string, string>)cluster.Value.GetProperty("Destinations").EnumerateObject()
                .ToDictionary(d => d.Name, d => d.Value.GetProperty("Address").GetString()!),
            StringComparer.Ordinal);
    }

    /// <summary>The gateway and the services that join the bus, each on the port of its launch profile (the AppHost's too).</summary>
    private static List<HubHost> ReadHosts()
    {
        var hosts = new List<HubHost> { new("gateway", "gateway/LgspHub.Gateway", LaunchProfilePort("gateway/LgspHub.Gateway")) };
        foreach (var project in Directory.GetDirectories(Repo.PathOf("services"), "LgspHub.*").Order(StringComparer.Ordinal))
        {
            var program = Path.Combine(project, "Program.cs");
            if (!File.Exists(program) || !File.ReadAllText(program).Contains(".AddMessaging(", StringComparison.Ordinal))
                continue;
            var folder = "services/" + Path.GetFileName(project);
            hosts.Add(new HubHost(Kebab(Path.GetFileName(project)["LgspHub.".Length..]), folder, LaunchProfilePort(folder)));
        }
        return hosts;
    }

    private static int LaunchProfilePort(string project)
    {
        using var settings = JsonDocument.Parse(Repo.Read(project, "Properties", "launchSettings.json"));
        return new Uri(settings.RootElement.GetProperty("profiles").GetProperty("http").GetProperty("applicationUrl").GetString()!).Port;
    }

    private static string Kebab(string pascal) => PascalWord().Replace(pascal, "-$1").ToLowerInvariant();

    /// <summary>The source files a host is built from: its project's and those of every project it references, however deep.</summary>
    public static IEnumerable<string> SourcesOf(HubHost host) =>
        ProjectFolders(Repo.PathOf(host.Project))
            .SelectMany(folder => Directory.EnumerateFiles(folder, "*.cs", SearchOption.AllDirectories))
            .Where(file => !file.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                && !file.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal));

    private static HashSet<string> ProjectFolders(string folder, HashSet<string>? seen = null)
    {
        seen ??= new HashSet<string>(StringComparer.Ordinal);
        if (!seen.Add(Path.GetFullPath(folder)))
            return seen;
        var project = XDocument.Load(Path.Combine(folder, Path.GetFileName(folder) + ".csproj"));
        foreach (var reference in project.Descendants("ProjectReference"))
            ProjectFolders(Path.GetDirectoryName(Path.GetFullPath(Path.Combine(folder, (string)reference.Attribute("Include")!)))!, seen);
        return seen;
    }

    /// <summary>The integration events: every message type an agency consumes (IConsumer&lt;T&gt;).</summary>
    public static IReadOnlySet<string> Events => Agencies.SelectMany(Consumes).ToHashSet(StringComparer.Ordinal);

    /// <summary>The events an agency's consumers take (IConsumer&lt;T&gt; in its project).</summary>
    public static IReadOnlySet<string> Consumes(HubHost agency) =>
        ConsumerOf().Matches(ProjectText(agency)).Select(m => m.Groups[1].Value).ToHashSet(StringComparer.Ordinal);

    /// <summary>The events an agency's project creates (<c>new T(</c>): the ones it publishes, through its outbox or a consume context.</summary>
    public static IReadOnlySet<string> Publishes(HubHost agency) =>
        Events.Where(e => Regex.IsMatch(ProjectText(agency), $@"\bnew\s+{e}\s*\(")).ToHashSet(StringComparer.Ordinal);

    private static string ProjectText(HubHost host) =>
        string.Join('\n', SourcesOf(host).Where(f => f.StartsWith(Repo.PathOf(host.Project) + Path.DirectorySeparatorChar, StringComparison.Ordinal)).Select(File.ReadAllText));

    [GeneratedRegex(@"IConsumer<(\w+)>")]
    private static partial Regex ConsumerOf();


    [GeneratedRegex("(?<!^)([A-Z])")]
    private static partial Regex PascalWord();
}
