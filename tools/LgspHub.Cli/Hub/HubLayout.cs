using System.Text.Json;
using LgspHub.Contracts;
using LgspHub.Cli.Machine;

namespace LgspHub.Cli.Hub;

/// <summary>One host of the hub: its name and project folder; its port and development settings are its project's own.</summary>
internal sealed record HubHost(string Name, string ProjectDirectory)
{
    public string AssemblyName => Path.GetFileName(ProjectDirectory);

    /// <summary>Where `dotnet build -c Release` puts it: what the AppHost runs.</summary>
    public string BuildDirectory => Path.Combine(ProjectDirectory, "bin", "Release", "net10.0");

    public string Dll => Path.Combine(BuildDirectory, AssemblyName + ".dll");

    /// <summary>The port of its http launch profile (Properties/launchSettings.json), where the AppHost runs its first instance.</summary>
    public int Port
    {
        get
        {
            using var document = JsonDocument.Parse(File.ReadAllText(Path.Combine(ProjectDirectory, "Properties", "launchSettings.json")));
            var url = document.RootElement.GetProperty("profiles").GetProperty("http").GetProperty("applicationUrl").GetString()!;
            return new Uri(url.Split(';')[0]).Port;
        }
    }

    public Uri Url => new($"http://127.0.0.1:{Port}");

    /// <summary>A setting of its appsettings.Development.json, <paramref name="key"/> as the code names it ("Lgsp:Access:GatewayKey").</summary>
    public string DevelopmentSetting(string key)
    {
        var file = Path.Combine(ProjectDirectory, "appsettings.Development.json");
        using var document = JsonDocument.Parse(File.ReadAllText(file), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip });
        var element = document.RootElement;
        foreach (var part in key.Split(':'))
            if (element.ValueKind != JsonValueKind.Object || !element.TryGetProperty(part, out element))
                throw new CliException($"no {key} in {Path.GetRelativePath(Directory.GetCurrentDirectory(), file)}");
        return element.ToString();
    }
}

/// <summary>
/// Where things are: the repository, the hosts of the hub, and .lgsp/ (git-ignored), which holds everything a run
/// creates: logs, pids, SQLite files, broker data, test results.
/// </summary>
internal sealed class HubLayout(string root)
{
    public string Root { get; } = root;

    public string State => Path.Combine(Root, ".lgsp");

    public string Logs => Path.Combine(State, "logs");

    public string Run => Path.Combine(State, "run");

    public string Solution => Path.Combine(Root, "LgspHub.sln");

    public HubHost Gateway => new("gateway", Path.Combine(Root, "gateway", "LgspHub.Gateway"));

    /// <summary>The agencies, in HubAgencies' order; each project is services/LgspHub.&lt;Name in Pascal case&gt; (civil-status: LgspHub.CivilStatus).</summary>
    public IReadOnlyList<HubHost> Agencies =>
        [.. HubAgencies.All.Select(name => new HubHost(name, Path.Combine(Root, "services", "LgspHub." + string.Concat(name.Split('-').Select(w => char.ToUpperInvariant(w[0]) + w[1..])))))];

    public HubHost Agency(string name) => Agencies.Single(a => a.Name == name);

    /// <summary>The repository holding this program: it runs from tools/LgspHub.Cli/bin/… or, as ./lgsp runs it, from .lgsp/cli.</summary>
    public static HubLayout Find()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
            if (File.Exists(Path.Combine(directory.FullName, "LgspHub.sln")))
                return new HubLayout(directory.FullName);
        throw new CliException($"no LgspHub.sln above {AppContext.BaseDirectory}");
    }
}
