using System.Text;

namespace LgspHub.AppHost;

/// <summary>
/// Debian's rabbitmq-server as the hub's private node, lgsp@localhost, an executable resource (there is no container
/// engine here for Aspire's RabbitMQ integration): its state under .lgsp/broker, listening on 127.0.0.1 only, its
/// configuration deploy/rabbitmq/rabbitmq.conf plus its listeners, as ./lgsp has always run it.
/// </summary>
internal static class LocalBroker
{
    public const int AmqpPort = 5673;
    public const int DistributionPort = 25673;
    public const int ManagementPort = 15673;
    public const string Name = "broker";
    private const string NodeName = "lgsp@localhost";
    private const string Server = "/usr/lib/rabbitmq/bin/rabbitmq-server";

    public static string AmqpUrl => $"amqp://guest:guest@127.0.0.1:{AmqpPort}/";

    public static string ManagementUrl => $"http://guest:guest@127.0.0.1:{ManagementPort}";

    public static IResourceBuilder<ExecutableResource> AddLocalBroker(this IDistributedApplicationBuilder builder, HubSettings settings)
    {
        if (!File.Exists(Server))
            throw new InvalidOperationException($"{Server} is missing: ./lgsp up installs Debian's rabbitmq-server; or name a broker of your own with ConnectionStrings:rabbitmq.");
        var directory = Path.Combine(settings.StateDirectory, "broker");
        WriteConfiguration(directory, Path.Combine(settings.RepositoryRoot, "deploy", "rabbitmq"));
        EnsureErlangCookie();
        const string loopbackOnly = "-kernel inet_dist_use_interface {127,0,0,1}";
        return builder.AddExecutable(Name, Server, directory)
            .WithEnvironment("RABBITMQ_NODENAME", NodeName)
            .WithEnvironment("RABBITMQ_NODE_IP_ADDRESS", "127.0.0.1")
            .WithEnvironment("RABBITMQ_NODE_PORT", AmqpPort.ToString(System.Globalization.CultureInfo.InvariantCulture))
            .WithEnvironment("RABBITMQ_DIST_PORT", DistributionPort.ToString(System.Globalization.CultureInfo.InvariantCulture))
            .WithEnvironment("RABBITMQ_MNESIA_BASE", Path.Combine(directory, "mnesia"))
            .WithEnvironment("RABBITMQ_LOG_BASE", Path.Combine(directory, "log"))
            .WithEnvironment("RABBITMQ_PID_FILE", Path.Combine(directory, "rabbitmq.pid"))
            .WithEnvironment("RABBITMQ_CONFIG_FILE", Path.Combine(directory, "rabbitmq.conf"))
            // Absent on purpose; an empty env file keeps /etc/rabbitmq out.
            .WithEnvironment("RABBITMQ_ADVANCED_CONFIG_FILE", Path.Combine(directory, "advanced.config"))
            .WithEnvironment("RABBITMQ_CONF_ENV_FILE", Path.Combine(directory, "rabbitmq-env.conf"))
            .WithEnvironment("RABBITMQ_ENABLED_PLUGINS_FILE", Path.Combine(directory, "enabled_plugins"))
            .WithEnvironment("RABBITMQ_PLUGINS_EXPAND_DIR", Path.Combine(directory, "plugins-expand"))
            .WithEnvironment("ERL_EPMD_ADDRESS", "127.0.0.1")
            .WithEnvironment("RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS", loopbackOnly)
            .WithEnvironment("RABBITMQ_CTL_ERL_ARGS", loopbackOnly)
            .WithEndpoint(port: AmqpPort, name: "amqp", scheme: "amqp", isProxied: false)
            .WithHttpEndpoint(port: ManagementPort, name: "management", isProxied: false)
            // The management plugin answers once the node has booted, its AMQP listener with it.
            .WithHttpHealthCheck("/", endpointName: "management");
    }

    private static void WriteConfiguration(string directory, string baseDirectory)
    {
        Directory.CreateDirectory(Path.Combine(directory, "mnesia"));
        Directory.CreateDirectory(Path.Combine(directory, "log"));
        var configuration = new StringBuilder()
            .AppendLine("# written by the AppHost from deploy/rabbitmq/rabbitmq.conf; do not edit")
            .AppendLine(File.ReadAllText(Path.Combine(baseDirectory, "rabbitmq.conf")))
            .AppendLine("# this node's listeners")
            .AppendLine(System.Globalization.CultureInfo.InvariantCulture, $"listeners.tcp.default = 127.0.0.1:{AmqpPort}")
            .AppendLine("management.tcp.ip = 127.0.0.1")
            .AppendLine(System.Globalization.CultureInfo.InvariantCulture, $"management.tcp.port = {ManagementPort}");
        File.WriteAllText(Path.Combine(directory, "rabbitmq.conf"), configuration.ToString());
        File.Copy(Path.Combine(baseDirectory, "enabled_plugins"), Path.Combine(directory, "enabled_plugins"), overwrite: true);
        File.WriteAllText(Path.Combine(directory, "rabbitmq-env.conf"), "");
    }

    /// <summary>The node and its command-line tools share ~/.erlang.cookie; made once, readable by its owner only.</summary>
    private static void EnsureErlangCookie()
    {
        var cookie = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".erlang.cookie");
        if (File.Exists(cookie) && new FileInfo(cookie).Length > 0)
            return;
        File.WriteAllText(cookie, Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(10)));
        if (!OperatingSystem.IsWindows())
            File.SetUnixFileMode(cookie, UnixFileMode.UserRead);
    }
}
