using System.Globalization;
using System.Text.Json;

namespace LgspHub.LocalHub;

/// <summary>
/// What a running hub leaves in &lt;state&gt;/run for the command line and the benches: hub.json, which the AppHost writes
/// once every host is healthy, with each instance's URL (population, population-2, …); each instance's pid; the
/// AppHost's own pid when ./lgsp up started it. All gone when the hub stops.
/// </summary>
public sealed class HubRunFolder(string stateDirectory)
{
    public string Directory => Path.Combine(stateDirectory, "run");

    public string ReadyFile => Path.Combine(Directory, "hub.json");

    public string AppHostPidFile => Path.Combine(Directory, "apphost.pid");

    public string PidFile(string instance) => Path.Combine(Directory, instance + ".pid");

    /// <summary>Every pid file there: the AppHost's and each instance's.</summary>
    public IReadOnlyList<string> PidFiles() => System.IO.Directory.Exists(Directory) ? System.IO.Directory.GetFiles(Directory, "*.pid") : [];

    public bool Ready => Instances().Count > 0;

    /// <summary>The AppHost's word that the hub is ready: each instance's URL, in the order given.</summary>
    public async Task WriteReadyAsync(IReadOnlyDictionary<string, string> urls, CancellationToken cancellationToken)
    {
        System.IO.Directory.CreateDirectory(Directory);
        await File.WriteAllTextAsync(ReadyFile, JsonSerializer.Serialize(new { hosts = urls }), cancellationToken);
    }

    /// <summary>Each running instance and its URL, in the order the AppHost wrote them; empty when no hub runs (or it is still writing the file).</summary>
    public IReadOnlyList<(string Instance, Uri Url)> Instances()
    {
        try
        {
            using var document = JsonDocument.Parse(File.ReadAllText(ReadyFile));
            return [.. document.RootElement.GetProperty("hosts").EnumerateObject().Select(h => (h.Name, new Uri(h.Value.GetString()!)))];
        }
        catch (Exception e) when (e is IOException or JsonException or KeyNotFoundException or InvalidOperationException)
        {
            return [];
        }
    }

    /// <summary>The URLs of an agency's instances: from hub.json when the hub runs, else its first instance's launch port.</summary>
    public IReadOnlyList<Uri> UrlsOf(HubHost host)
    {
        var running = Instances().Where(i => host.HasInstance(i.Instance)).Select(i => i.Url).ToList();
        return running.Count > 0 ? running : [host.Url];
    }

    /// <summary>The pid a pid file holds; null when there is none or it holds something else.</summary>
    public static int? ReadPid(string pidFile)
    {
        try
        {
            return int.TryParse(File.ReadAllText(pidFile).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var pid) && pid > 0 ? pid : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
