using System.Text.Json;
using System.Text.RegularExpressions;
using YamlDotNet.RepresentationModel;

namespace LgspHub.Deploy.Tests;

/// <summary>One running instance of a host in a deployment file, with the settings it is given.</summary>
internal sealed record Instance(string Name, HubHost Host, IReadOnlyDictionary<string, string> Environment);

/// <summary>deploy/compose.yaml, read as docker compose reads it (anchors and merge keys applied).</summary>
internal sealed class ComposeFile
{
    public static readonly ComposeFile Hub = new(Repo.PathOf("deploy", "compose.yaml"));

    public ComposeFile(string path)
    {
        Root = Yaml.LoadAll(path).Single();
        Services = Root.Map("services").Entries().ToDictionary(e => e.Key, e => (YamlMappingNode)e.Value, StringComparer.Ordinal);
        var projectOfImage = Services.Values
            .Where(s => s.Text("build", "args", "PROJECT") is not null && s.Text("image") is not null)
            .GroupBy(s => s.Text("image")!)
            .ToDictionary(g => g.Key, g => g.Select(s => s.Text("build", "args", "PROJECT")).Distinct().Single());
        Instances = Services
            .Select(s => (s.Key, Host: HubCode.HostOfProject(s.Value.Text("build", "args", "PROJECT")
                ?? (s.Value.Text("image") is { } image ? projectOfImage.GetValueOrDefault(image) : null))))
            .Where(s => s.Host is not null)
            .Select(s => new Instance(s.Key, s.Host!, EnvironmentOf(Services[s.Key])))
            .ToList();
    }

    public YamlMappingNode Root { get; }

    public IReadOnlyDictionary<string, YamlMappingNode> Services { get; }

    /// <summary>The services that run a host of the hub (by the project their image is built from).</summary>
    public IReadOnlyList<Instance> Instances { get; }

    public IEnumerable<Instance> InstancesOf(string host) => Instances.Where(i => i.Host.Name == host);

    public IEnumerable<(string Name, YamlMappingNode Service)> RabbitMqNodes =>
        Services.Where(s => s.Value.Text("image")?.StartsWith("rabbitmq:", StringComparison.Ordinal) == true).Select(s => (s.Key, s.Value));

    /// <summary>"source:target[:mode]" volume entries as (source, target).</summary>
    public static IEnumerable<(string Source, string Target)> Volumes(YamlNode service) =>
        service.Texts("volumes").Select(v => v.Split(':')).Select(p => (p[0], p[1]));

    private static Dictionary<string, string> EnvironmentOf(YamlNode service)
    {
        var environment = service.Get("environment");
        if (environment is YamlSequenceNode list)
            return list.Children.Cast<YamlScalarNode>().Select(s => s.Value!.Split('=', 2)).ToDictionary(p => p[0], p => p.ElementAtOrDefault(1) ?? "");
        return environment.Entries().ToDictionary(e => e.Key, e => ((YamlScalarNode)e.Value).Value ?? "");
    }
}

/// <summary>deploy/k8s: every manifest the kustomization lists, with the environment each container gets.</summary>
internal sealed partial class KubernetesManifests
{
    public static readonly KubernetesManifests Hub = new(Repo.PathOf("deploy", "k8s"));

    public KubernetesManifests(string folder)
    {
        Kustomization = Yaml.LoadAll(Path.Combine(folder, "kustomization.yaml")).Single();
        Files = Kustomization.Texts("resources");
        Objects = Files.SelectMany(file => Yaml.LoadAll(Path.Combine(folder, file))).ToList();
        Instances = Workloads
            .Select(w => (Workload: w, Host: HubCode.HostOfProject(ProjectOfImage(ImageOf(w)))))
            .Where(w => w.Host is not null)
            .Select(w => new Instance(w.Workload.Text("metadata", "name")!, w.Host!, EnvironmentOf(MainContainer(w.Workload))))
            .ToList();
    }

    public YamlMappingNode Kustomization { get; }

    public IReadOnlyList<string> Files { get; }

    public IReadOnlyList<YamlMappingNode> Objects { get; }

    public IReadOnlyList<Instance> Instances { get; }

    public string Namespace => Kustomization.Text("namespace") ?? "default";

    public IEnumerable<YamlMappingNode> OfKind(string kind) => Objects.Where(o => o.Text("kind") == kind);

    public YamlMappingNode Named(string kind, string name) =>
        OfKind(kind).SingleOrDefault(o => o.Text("metadata", "name") == name) ?? throw new InvalidOperationException($"no {kind} {name}");

    public IEnumerable<YamlMappingNode> Workloads => OfKind("Deployment").Concat(OfKind("StatefulSet"));

    public YamlMappingNode Workload(string name) => Workloads.Single(w => w.Text("metadata", "name") == name);

    public static YamlMappingNode MainContainer(YamlNode workload) => (YamlMappingNode)workload.List("spec", "template", "spec", "containers")[0];

    public static IEnumerable<YamlMappingNode> Containers(YamlNode workload) => workload.List("spec", "template", "spec", "containers").Cast<YamlMappingNode>();

    /// <summary>Images are lgsp/&lt;host&gt; (kustomize sets registry and tag): the host's project.</summary>
    private static string? ProjectOfImage(string? image) =>
        image is not null && ImageName().Match(image) is { Success: true } m ? HubCode.Hosts.SingleOrDefault(h => h.Name == m.Groups[1].Value)?.Project : null;

    private static string? ImageOf(YamlNode workload) => MainContainer(workload).Text("image");

    /// <summary>A container's environment: its env (values, or the referenced Secret or ConfigMap key) and every envFrom ConfigMap or Secret.</summary>
    public Dictionary<string, string> EnvironmentOf(YamlNode container)
    {
        var environment = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var source in container.List("envFrom"))
        {
            var data = source.Text("configMapRef", "name") is { } configMap ? DataOf("ConfigMap", configMap)
                : source.Text("secretRef", "name") is { } secret ? DataOf("Secret", secret)
                : throw new InvalidOperationException("envFrom without a ConfigMap or Secret");
            foreach (var (key, value) in data)
                environment[key] = value;
        }
        foreach (var variable in container.List("env"))
        {
            var name = variable.Text("name")!;
            environment[name] = variable.Text("value")
                ?? (variable.At("valueFrom", "secretKeyRef") is { } secretKey ? DataOf("Secret", secretKey.Text("name")!)[secretKey.Text("key")!]
                : variable.At("valueFrom", "configMapKeyRef") is { } configKey ? DataOf("ConfigMap", configKey.Text("name")!)[configKey.Text("key")!]
                : variable.At("valueFrom", "fieldRef") is not null ? "(field)"
                : throw new InvalidOperationException($"{name} has neither a value nor a known source"));
        }
        return environment;
    }

    public IReadOnlyDictionary<string, string> DataOf(string kind, string name)
    {
        var item = Named(kind, name);
        return item.Map(kind == "Secret" && item.Get("stringData") is not null ? "stringData" : "data").Entries()
            .ToDictionary(e => e.Key, e => ((YamlScalarNode)e.Value).Value ?? "", StringComparer.Ordinal);
    }

    [GeneratedRegex("^lgsp/([a-z-]+)(?::[^/]+)?$")]
    private static partial Regex ImageName();
}

/// <summary>RabbitMQ definitions (users, vhosts, permissions, policies) as imported at boot.</summary>
internal sealed class BrokerDefinitions(JsonElement root)
{
    public static BrokerDefinitions Parse(string json)
    {
        using var document = JsonDocument.Parse(json);
        return new BrokerDefinitions(document.RootElement.Clone());
    }

    private static readonly string[] Rights = ["configure", "write", "read"];

    public JsonElement Root { get; } = root;

    public string? DefaultQueueType(string vhost) =>
        Root.GetProperty("vhosts").EnumerateArray().Where(v => v.GetProperty("name").GetString() == vhost)
            .Select(v => v.TryGetProperty("metadata", out var metadata) && metadata.TryGetProperty("default_queue_type", out var type) ? type.GetString() : null)
            .SingleOrDefault();

    /// <summary>The user's tags when <paramref name="password"/> is theirs and they may use <paramref name="vhost"/> fully.</summary>
    public IReadOnlyList<string>? TagsOf(string user, string password, string vhost)
    {
        var record = Root.GetProperty("users").EnumerateArray().SingleOrDefault(u => u.GetProperty("name").GetString() == user);
        if (record.ValueKind == JsonValueKind.Undefined || record.GetProperty("password").GetString() != password)
            return null;
        var permitted = Root.GetProperty("permissions").EnumerateArray().Any(p =>
            p.GetProperty("user").GetString() == user && p.GetProperty("vhost").GetString() == vhost
            && Rights.All(k => p.GetProperty(k).GetString() == ".*"));
        return permitted ? record.GetProperty("tags").GetString()!.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries) : null;
    }
}
