using System.Text.RegularExpressions;

namespace LgspHub.Deploy.Tests;

/// <summary>
/// The configuration keys a host reads, found in its sources: connection strings, keys read by name,
/// sections bound to options (walked through the options' property names) and YARP's clusters. An
/// environment variable explains itself only if it lands on one of them: a typo, or a setting the code
/// dropped, is refused instead of being silently ignored by the host.
/// </summary>
internal sealed partial class ConfigurationSurface
{
    private readonly HashSet<string> _keys = new(StringComparer.OrdinalIgnoreCase);
    private readonly HashSet<string> _sections = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, string> _properties = new(StringComparer.OrdinalIgnoreCase);
    private readonly bool _otlpExporter;
    private readonly bool _webHost;

    private ConfigurationSurface(HubHost host)
    {
        foreach (var source in HubCode.SourcesOf(host).Select(File.ReadAllText))
        {
            foreach (Match m in ConnectionString().Matches(source))
                _keys.Add("ConnectionStrings:" + m.Groups[1].Value);
            foreach (Match m in KeyByName().Matches(source))
                _keys.Add(m.Groups[1].Value);
            foreach (Match m in EnvironmentVariable().Matches(source))
                _keys.Add(m.Groups[1].Value.Replace("__", ":", StringComparison.Ordinal));
            foreach (Match m in KeyConstant().Matches(source))
                _keys.Add(m.Groups[1].Value);
            foreach (Match m in SectionConstant().Matches(source))
                _sections.Add(m.Groups[1].Value);
            foreach (Match m in SectionByName().Matches(source))
                _sections.Add(m.Groups[1].Value);
            foreach (Match m in Property().Matches(source))
                _properties.TryAdd(m.Groups[2].Value, m.Groups[1].Value);
            _otlpExporter |= source.Contains(".UseOtlpExporter()", StringComparison.Ordinal);
            _webHost |= source.Contains("WebApplication.CreateBuilder(", StringComparison.Ordinal);
        }
    }

    private static readonly Dictionary<string, ConfigurationSurface> Cache = [];

    /// <summary>Every variable given to an instance that its host does not read, with the reason.</summary>
    public static IReadOnlyList<string> Refused(IEnumerable<Instance> instances) =>
        instances.SelectMany(i => i.Environment.Keys.Where(v => i.Referenced?.Contains(v) != true)
                .Select(v => Of(i.Host).Refuses(v) is { } why ? $"{i.Name}: {why}" : null))
            .OfType<string>().ToList();

    public static ConfigurationSurface Of(HubHost host)
    {
        lock (Cache)
        {
            if (!Cache.TryGetValue(host.Name, out var surface))
                Cache[host.Name] = surface = new ConfigurationSurface(host);
            return surface;
        }
    }

    /// <summary>Null when the host reads <paramref name="variable"/>; otherwise why not.</summary>
    public string? Refuses(string variable)
    {
        var key = variable.Replace("__", ":", StringComparison.Ordinal);
        if (_keys.Contains(key))
            return null;
        // ASP.NET Core's host reads ASPNETCORE_-prefixed variables (URLs, ports, environment).
        if (_webHost && variable is "ASPNETCORE_URLS" or "ASPNETCORE_HTTP_PORTS" or "ASPNETCORE_ENVIRONMENT")
            return null;
        // UseOtlpExporter reads the standard OTEL_EXPORTER_OTLP_* variables.
        if (_otlpExporter && variable.StartsWith("OTEL_EXPORTER_OTLP_", StringComparison.Ordinal))
            return null;
        if (key.StartsWith("ReverseProxy:", StringComparison.OrdinalIgnoreCase) && _sections.Contains("ReverseProxy"))
            return ReverseProxyRefuses(key);
        foreach (var section in _sections.Where(s => key.StartsWith(s + ":", StringComparison.OrdinalIgnoreCase)).OrderByDescending(s => s.Length))
        {
            if (WalksProperties(key[(section.Length + 1)..].Split(':')))
                return null;
        }
        return $"{variable} (key {key}) is no setting the host reads: no connection string, key, options property or gateway cluster of that name";
    }

    /// <summary>Each segment is a property of the bound options; a dictionary's key is free, a list's index a number.</summary>
    private bool WalksProperties(string[] segments)
    {
        for (var i = 0; i < segments.Length; i++)
        {
            if (!_properties.TryGetValue(segments[i], out var type))
                return false;
            if (type.Contains("Dictionary<", StringComparison.Ordinal))
                i++;
            else if (type.Contains("List<", StringComparison.Ordinal) || type.EndsWith("[]", StringComparison.Ordinal))
            {
                if (i + 1 < segments.Length && !int.TryParse(segments[i + 1], System.Globalization.CultureInfo.InvariantCulture, out _))
                    return false;
                i++;
            }
        }
        return segments.Length > 0;
    }

    /// <summary>YARP's own schema, as far as deployment uses it: destinations of the clusters the gateway defines.</summary>
    private static string? ReverseProxyRefuses(string key)
    {
        var parts = key.Split(':');
        if (parts is not ["ReverseProxy", "Clusters", var cluster, "Destinations", _, "Address"])
            return $"{key}: only ReverseProxy:Clusters:<cluster>:Destinations:<name>:Address is set by deployment";
        return HubCode.GatewayClusters.ContainsKey(cluster)
            ? null
            : $"{key}: the gateway defines no cluster \"{cluster}\" (gateway/LgspHub.Gateway/appsettings.json)";
    }

    [GeneratedRegex("""GetConnectionString\("([^"]+)"\)""")]
    private static partial Regex ConnectionString();

    [GeneratedRegex("""(?<![A-Za-z])(?:Configuration\[|GetValue(?:<[^>]+>)?\()"([^"]+)"[\],]""")]
    private static partial Regex KeyByName();

    [GeneratedRegex("""GetEnvironmentVariable\("([^"]+)"\)""")]
    private static partial Regex EnvironmentVariable();

    [GeneratedRegex("""const string \w*Key\s*=\s*"([A-Za-z]+(?::[A-Za-z]+)+)";""")]
    private static partial Regex KeyConstant();

    [GeneratedRegex("""const string Section\s*=\s*"([^"]+)";""")]
    private static partial Regex SectionConstant();

    [GeneratedRegex("""GetSection\("([^"]+)"\)""")]
    private static partial Regex SectionByName();

    [GeneratedRegex("""public\s+(?:required\s+)?([\w<>?,\[\] ]+?)\s+(\w+)\s*\{\s*get;""")]
    private static partial Regex Property();
}
