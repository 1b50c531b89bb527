using System.Text.Json;

namespace LgspHub.Cli.Hub;

/// <summary>
/// What a running hub's AppHost leaves in .lgsp/run/ (HubRun): hub.json once every host is healthy, with each
/// instance's URL (population, population-2, …), and each instance's pid; all gone when it stops.
/// </summary>
internal sealed class HubRunFiles(HubRepository layout)
{
    public string ReadyFile => Path.Combine(layout.Run, "hub.json");

    public string AppHostPidFile => Path.Combine(layout.Run, "apphost.pid");

    public string PidFileOf(string instance) => Path.Combine(layout.Run, instance + ".pid");

    public bool Ready => Instances().Count > 0;

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
        var running = Instances().Where(i => i.Instance == host.Name || IsFurtherInstance(i.Instance, host.Name)).Select(i => i.Url).ToList();
        return running.Count > 0 ? running : [host.Url];
    }

    private static bool IsFurtherInstance(string instance, string host) =>
        instance.Length > host.Length + 1 && instance.StartsWith(host + "-", StringComparison.Ordinal) && instance[(host.Length + 1)..].All(char.IsAsciiDigit);
}
