using System.Globalization;
using System.Text.Json;
using LgspHub.AgencyDefaults;
using LgspHub.Contracts;
using Microsoft.Extensions.Configuration;

namespace LgspHub.Benchmarks.Gateway;

/// <summary>
/// What the wrk benches know of the hub from its repository: each host's port (its launchSettings.json), the
/// development settings, the gateway's build, and the process ids `./lgsp up` writes to .lgsp/run.
/// </summary>
public sealed class HubRepository(string root)
{
    public const string GatewayProject = "gateway/LgspHub.Gateway";
    public const string LandProject = "services/LgspHub.Land";
    public const string GatewayDll = "LgspHub.Gateway.dll";

    public string Root => root;

    public string Bench => Path.Combine(root, ".lgsp", "bench");

    public string Logs => Path.Combine(root, ".lgsp", "logs");

    /// <summary>The gateway the hub runs: its Release build, which `./lgsp up` makes.</summary>
    public string GatewayBuild => Path.Combine(root, GatewayProject, "bin", "Release", "net10.0");

    /// <summary>The repository this program was built in: the folder above its build holding LgspHub.sln.</summary>
    public static HubRepository Find()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
            if (File.Exists(Path.Combine(folder.FullName, "LgspHub.sln")))
                return new HubRepository(folder.FullName);
        throw new BenchException($"no LgspHub.sln above {AppContext.BaseDirectory}: run the benchmarks from their build in the repository");
    }

    /// <summary>The port of the host's http profile (Properties/launchSettings.json), the one `./lgsp up` runs it on.</summary>
    public int Port(string project)
    {
        var file = Path.Combine(root, project, "Properties", "launchSettings.json");
        try
        {
            using var json = JsonDocument.Parse(File.ReadAllText(file));
            var urls = json.RootElement.GetProperty("profiles").GetProperty("http").GetProperty("applicationUrl").GetString() ?? "";
            return new Uri(urls.Split(';')[0]).Port;
        }
        catch (Exception e) when (e is IOException or JsonException or KeyNotFoundException or InvalidOperationException or UriFormatException)
        {
            throw new BenchException($"no profiles.http.applicationUrl in {file}: {e.Message}");
        }
    }

    /// <summary>The key the land agency takes from the gateway, in its development settings (Lgsp:Access:GatewayKey).</summary>
    public string LandGatewayKey()
    {
        var file = Path.Combine(root, LandProject, "appsettings.Development.json");
        var key = $"{AgencyAccessOptions.Section}:{nameof(AgencyAccessOptions.GatewayKey)}";
        var settings = new ConfigurationBuilder().AddJsonFile(file, optional: true).Build();
        return settings[key] is { Length: > 0 } value ? value : throw new BenchException($"no {key} in {file}");
    }

    /// <summary>The process id `./lgsp up` recorded for a host of the hub (.lgsp/run/&lt;name&gt;.pid), if it did.</summary>
    public int? Pid(string instance)
    {
        try
        {
            var text = File.ReadAllText(Path.Combine(root, ".lgsp", "run", instance + ".pid")).Trim();
            return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var pid) ? pid : null;
        }
        catch (IOException)
        {
            return null;
        }
    }

    public int? LandPid() => Pid(HubAgencies.Land);

    public int? GatewayPid() => Pid("gateway");
}

/// <summary>The bench cannot go on: said in one line, exit code 1.</summary>
public sealed class BenchException(string message) : Exception(message);
