using System.Text.RegularExpressions;

namespace LgspHub.Deploy.Tests;

/// <summary>Checks shared by compose and Kubernetes: how the hosts reach the RabbitMQ cluster.</summary>
internal static partial class Broker
{
    public const int AmqpPort = 5672;
    public const int ManagementPort = 15672;

    public static readonly BrokerDefinitions Definitions = BrokerDefinitions.Parse(Repo.Read("deploy", "compose", "definitions.json"));

    /// <summary>The vhost a MassTransit host URL selects: the path, "/" when empty.</summary>
    public static string VhostOf(Uri url) => url.AbsolutePath is "" or "/" ? "/" : Uri.UnescapeDataString(url.AbsolutePath.Trim('/'));

    public static (string User, string Password) CredentialsOf(Uri url)
    {
        var parts = url.UserInfo.Split(':', 2);
        return (Uri.UnescapeDataString(parts[0]), Uri.UnescapeDataString(parts.ElementAtOrDefault(1) ?? ""));
    }

    /// <summary>
    /// Every agency joins the bus through <paramref name="brokerHost"/> as a user of its own (named after it), with
    /// the password the broker fills into the definitions from <paramref name="brokerEnvironment"/>, on a vhost of
    /// quorum queues where that user has permissions.
    /// </summary>
    public static void AssertAgenciesConnect(IEnumerable<Instance> instances, string brokerHost, IReadOnlyDictionary<string, string> brokerEnvironment)
    {
        var agencies = instances.Where(i => !i.Host.IsGateway).ToList();
        foreach (var instance in agencies)
        {
            Assert.True(instance.Environment.TryGetValue("ConnectionStrings__rabbitmq", out var text), $"{instance.Name} has no ConnectionStrings__rabbitmq: it would look for a broker on 127.0.0.1");
            var url = new Uri(text!);
            Assert.Equal("amqp", url.Scheme);
            Assert.Equal(brokerHost, url.Host);
            Assert.Equal(AmqpPort, url.Port);
            var (user, password) = CredentialsOf(url);
            Assert.True(user == instance.Host.Name, $"{instance.Name} connects as {user}, not as the broker user of its own ({instance.Host.Name})");
            Assert.True(Definitions.PermissionsOf(user, VhostOf(url)) is not null, $"{user} has no permissions on vhost {VhostOf(url)}");
            Assert.True(password == brokerEnvironment.GetValueOrDefault(Definitions.PasswordVariableOf(user)),
                $"{instance.Name}'s password is not the one the broker gives {user} ({Definitions.PasswordVariableOf(user)})");
            Assert.Equal("quorum", Definitions.DefaultQueueType(VhostOf(url)));
        }
        Assert.Equal(HubCode.Agencies.Select(a => a.Name).Order(), agencies.Select(i => CredentialsOf(new Uri(i.Environment["ConnectionStrings__rabbitmq"])).User).Distinct().Order());
    }

    /// <summary>The gateway reads queue figures from the management API as a user allowed to, and to nothing else.</summary>
    public static void AssertGatewayReadsManagementApi(Instance gateway, string brokerHost, IReadOnlyDictionary<string, string> brokerEnvironment)
    {
        Assert.True(gateway.Environment.TryGetValue("Lgsp__Ops__BrokerManagementUrl", out var text), "the gateway has no Lgsp__Ops__BrokerManagementUrl");
        var url = new Uri(text!);
        Assert.Equal(brokerHost, url.Host);
        Assert.Equal(ManagementPort, url.Port);
        var (user, password) = CredentialsOf(url);
        Assert.DoesNotContain(user, HubCode.Agencies.Select(a => a.Name));
        Assert.Contains("monitoring", Definitions.TagsOf(user));
        Assert.Equal(brokerEnvironment.GetValueOrDefault(Definitions.PasswordVariableOf(user)), password);
    }

    /// <summary>The classic-config peer list of a rabbitmq.conf, in order.</summary>
    public static IReadOnlyList<string> ClassicConfigNodes(string rabbitmqConf) =>
        ClassicNode().Matches(rabbitmqConf).OrderBy(m => int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture)).Select(m => m.Groups[2].Value).ToList();

    public static string Setting(string rabbitmqConf, string key) =>
        rabbitmqConf.Split('\n').Select(l => l.Trim()).Where(l => l.StartsWith(key + " ", StringComparison.Ordinal) || l.StartsWith(key + "=", StringComparison.Ordinal))
            .Select(l => l[(l.IndexOf('=', StringComparison.Ordinal) + 1)..].Trim()).SingleOrDefault() ?? "";

    [GeneratedRegex(@"^\s*cluster_formation\.classic_config\.nodes\.(\d+)\s*=\s*(\S+)\s*$", RegexOptions.Multiline)]
    private static partial Regex ClassicNode();
}
