using LgspHub.Cli.Machine;

namespace LgspHub.Cli.Hub;

/// <summary>What `up` was asked for, checked, and the AppHost settings (HubSettings) it becomes.</summary>
internal sealed record UpOptions(IReadOnlyDictionary<string, int> Instances, IReadOnlyDictionary<string, string> OwnAgencies, bool Dashboard, bool Postgres = false)
{
    /// <summary>From "population=2,land=3" and each "land=http://127.0.0.1:7000"; a <see cref="UsageException"/> says what is wrong.</summary>
    public static UpOptions Parse(IEnumerable<string> instances, IEnumerable<string> ownAgencies, bool noDashboard, bool postgres = false)
    {
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var pair in instances.SelectMany(spec => spec.Split(',')))
        {
            var (name, value) = Split(pair, "--instances needs a value such as population=2");
            if (HubChoices.NotAnAgency(name) is { } notAnAgency)
                throw new UsageException($"--instances: {notAnAgency}; the gateway runs once");
            counts[name] = HubChoices.InstanceCount(value)
                ?? throw new UsageException($"--instances: {name}={value}: from 1 to {HubChoices.MostInstances} instances");
        }
        var own = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var spec in ownAgencies)
        {
            var (name, value) = Split(spec, "--agency needs a value such as land=http://127.0.0.1:7000");
            if (HubChoices.NotAnAgency(name) is { } notAnAgency)
                throw new UsageException($"--agency: {notAnAgency}");
            var url = HubChoices.SystemBaseUrl(value) ?? throw new UsageException($"--agency: {name}={value}: the system's base URL, http://host:port");
            if (counts.GetValueOrDefault(name, 1) != 1)
                throw new UsageException($"--agency {name} and --instances {name}: the agency is your system, the hub starts none of it");
            own[name] = url;
        }
        return new UpOptions(counts, own, !noDashboard, postgres);
    }

    /// <summary>The AppHost's command-line settings for this run; a broker of one's own from LGSP_RABBITMQ_URL.</summary>
    public IEnumerable<string> AppHostSettings(Func<string, string?> environment)
    {
        foreach (var (agency, count) in Instances)
            yield return $"Hub:Instances:{agency}={count}";
        foreach (var (agency, url) in OwnAgencies)
            yield return $"Hub:OwnAgencies:{agency}={url}";
        if (!Dashboard)
            yield return "Hub:Dashboard=false";
        if (Postgres)
            yield return "Hub:LocalPostgres=true";
        if (environment("LGSP_RABBITMQ_URL") is { Length: > 0 } broker)
        {
            yield return $"ConnectionStrings:rabbitmq={broker}";
            yield return $"Hub:BrokerManagementUrl={environment("LGSP_RABBITMQ_MANAGEMENT_URL") ?? "http://guest:guest@127.0.0.1:15672"}";
        }
    }

    private static (string Name, string Value) Split(string pair, string usage)
    {
        var equals = pair.IndexOf('=', StringComparison.Ordinal);
        if (equals <= 0 || equals == pair.Length - 1)
            throw new UsageException(usage);
        return (pair[..equals], pair[(equals + 1)..]);
    }
}
