using System.Text.Json;
using System.Text.RegularExpressions;
using YamlDotNet.RepresentationModel;

namespace LgspHub.Deploy.Tests;

/// <summary>One running instance of a host in a deployment file, with the settings it is given.</summary>
/// <param name="Referenced">Variables there only to be part of another's value (Kubernetes' <c>$(NAME)</c>).</param>
internal sealed record Instance(string Name, HubHost Host, IReadOnlyDictionary<string, string> Environment, IReadOnlySet<string>? Referenced = null);

/// <summary>deploy/compose.yaml, read as docker compose reads it (anchors and merge keys applied, variables interpolated).</summary>
internal sealed partial class ComposeFile
{
    /// <summary>With the secrets an operator generates (deploy/tools/new-secrets.py) in deploy/.env.</summary>
    public static readonly ComposeFile Hub = new(Repo.PathOf("deploy", "compose.yaml"), Secrets.Generated);

    /// <summary>As written: every <c>${...}</c> left as it is.</summary>
    public static readonly ComposeFile Raw = new(Repo.PathOf("deploy", "compose.yaml"), null);

    public ComposeFile(string path, IReadOnlyDictionary<string, string>? variables)
    {
        var text = File.ReadAllText(path);
        Root = Yaml.Parse(variables is null ? text : Interpolate(text, variables), path).Single();
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

    /// <summary>The variables the file requires (<c>${NAME:?...}</c>): compose refuses to start without any of them.</summary>
    public static IReadOnlySet<string> RequiredVariables(string text) =>
        Reference().Matches(text).Where(m => m.Groups["op"].Value.EndsWith('?')).Select(m => m.Groups["name"].Value).ToHashSet(StringComparer.Ordinal);

    /// <summary>Compose's interpolation: <c>${NAME}</c>, <c>${NAME:-default}</c>, <c>${NAME:?error}</c> (and without the colon).</summary>
    public static string Interpolate(string text, IReadOnlyDictionary<string, string> variables) =>
        Reference().Replace(text, m =>
        {
            var name = m.Groups["name"].Value;
            var op = m.Groups["op"].Value;
            var set = variables.TryGetValue(name, out var value) && (value.Length > 0 || !op.StartsWith(':'));
            return set ? value!
                : op.EndsWith('-') ? m.Groups["arg"].Value
                : op.EndsWith('?') ? throw new InvalidOperationException($"compose refuses to start: {name} is required ({m.Groups["arg"].Value})")
                : "";
        });

    public static Dictionary<string, string> EnvironmentOf(YamlNode service)
    {
        var environment = service.Get("environment");
        if (environment is YamlSequenceNode list)
            return list.Children.Cast<YamlScalarNode>().Select(s => s.Value!.Split('=', 2)).ToDictionary(p => p[0], p => p.ElementAtOrDefault(1) ?? "");
        return environment.Entries().ToDictionary(e => e.Key, e => ((YamlScalarNode)e.Value).Value ?? "");
    }

    [GeneratedRegex(@"\$\{(?<name>[A-Za-z_][A-Za-z0-9_]*)(?:(?<op>:?[-?])(?<arg>[^}]*))?\}")]
    private static partial Regex Reference();
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
            .Select(w =>
            {
                var referenced = new HashSet<string>(StringComparer.Ordinal);
                return new Instance(w.Workload.Text("metadata", "name")!, w.Host!, EnvironmentOf(MainContainer(w.Workload), referenced), referenced);
            })
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

    /// <summary>
    /// A container's environment: its env (values, or the referenced Secret or ConfigMap key) and every envFrom ConfigMap
    /// or Secret. A Secret the manifests do not hold (the operator creates it) gives <c>secret.&lt;name&gt;.&lt;key&gt;</c>; a
    /// <c>$(NAME)</c> in a value is expanded from the variables before it, as Kubernetes does, and NAME noted in <paramref name="referenced"/>.
    /// </summary>
    public Dictionary<string, string> EnvironmentOf(YamlNode container, ISet<string>? referenced = null)
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
            environment[name] = variable.Text("value") is { } value ? Expand(value, environment, referenced)
                : variable.At("valueFrom", "secretKeyRef") is { } secretKey ? SecretValue(secretKey.Text("name")!, secretKey.Text("key")!)
                : variable.At("valueFrom", "configMapKeyRef") is { } configKey ? DataOf("ConfigMap", configKey.Text("name")!)[configKey.Text("key")!]
                : variable.At("valueFrom", "fieldRef") is not null ? FieldValue
                : throw new InvalidOperationException($"{name} has neither a value nor a known source");
        }
        return environment;
    }

    private const string FieldValue = "(field)";

    private string SecretValue(string name, string key) =>
        OfKind("Secret").Any(s => s.Text("metadata", "name") == name) ? DataOf("Secret", name)[key] : $"secret.{name}.{key}";

    private static string Expand(string value, Dictionary<string, string> environment, ISet<string>? referenced) =>
        DependentVariable().Replace(value, m =>
        {
            // A field of the pod (its name) is known only when it runs.
            if (!environment.TryGetValue(m.Groups[1].Value, out var known) || known == FieldValue)
                return m.Value;
            referenced?.Add(m.Groups[1].Value);
            return known;
        });

    [GeneratedRegex(@"\$\(([A-Za-z_][A-Za-z0-9_]*)\)")]
    private static partial Regex DependentVariable();

    public IReadOnlyDictionary<string, string> DataOf(string kind, string name)
    {
        var item = Named(kind, name);
        return item.Map(kind == "Secret" && item.Get("stringData") is not null ? "stringData" : "data").Entries()
            .ToDictionary(e => e.Key, e => ((YamlScalarNode)e.Value).Value ?? "", StringComparer.Ordinal);
    }

    [GeneratedRegex("^lgsp/([a-z-]+)(?::[^/]+)?$")]
    private static partial Regex ImageName();
}

/// <summary>
/// RabbitMQ definitions (users, vhosts, permissions, policies) as imported at boot, from the template whose user
/// passwords are <c>${VARIABLE}</c> placeholders that broker-entrypoint.sh fills in from the node's environment.
/// </summary>
internal sealed partial class BrokerDefinitions(JsonElement root)
{
    public static BrokerDefinitions Parse(string json)
    {
        using var document = JsonDocument.Parse(json);
        return new BrokerDefinitions(document.RootElement.Clone());
    }

    public JsonElement Root { get; } = root;

    public IReadOnlyList<string> Users => Root.GetProperty("users").EnumerateArray().Select(u => u.GetProperty("name").GetString()!).ToList();

    public string? DefaultQueueType(string vhost) =>
        Root.GetProperty("vhosts").EnumerateArray().Where(v => v.GetProperty("name").GetString() == vhost)
            .Select(v => v.TryGetProperty("metadata", out var metadata) && metadata.TryGetProperty("default_queue_type", out var type) ? type.GetString() : null)
            .SingleOrDefault();

    public IReadOnlyList<string> TagsOf(string user) =>
        User(user).GetProperty("tags").GetString()!.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);

    /// <summary>The variable the user's password comes from; the definitions hold no password.</summary>
    public string PasswordVariableOf(string user) =>
        Placeholder().Match(User(user).GetProperty("password").GetString()!) is { Success: true } m ? m.Groups[1].Value
            : throw new InvalidOperationException($"{user}'s password is not a ${{VARIABLE}} placeholder: the definitions would hold a password");

    /// <summary>The user's configure, write and read patterns on the vhost, or null without permissions there.</summary>
    public (string Configure, string Write, string Read)? PermissionsOf(string user, string vhost) =>
        Root.GetProperty("permissions").EnumerateArray()
            .Where(p => p.GetProperty("user").GetString() == user && p.GetProperty("vhost").GetString() == vhost)
            .Select(p => ((string Configure, string Write, string Read)?)(p.GetProperty("configure").GetString()!, p.GetProperty("write").GetString()!, p.GetProperty("read").GetString()!))
            .SingleOrDefault();

    private JsonElement User(string user) =>
        Root.GetProperty("users").EnumerateArray().SingleOrDefault(u => u.GetProperty("name").GetString() == user) is { ValueKind: JsonValueKind.Object } found
            ? found
            : throw new InvalidOperationException($"no broker user {user} in the definitions");

    [GeneratedRegex(@"^\$\{([A-Z_]+)\}$")]
    private static partial Regex Placeholder();
}
