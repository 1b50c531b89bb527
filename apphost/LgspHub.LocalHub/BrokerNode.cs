using System.Globalization;
using System.Text;

namespace LgspHub.LocalHub;

/// <summary>
/// A private node of Debian's rabbitmq-server: its state in <see cref="Directory"/>, listening on 127.0.0.1 only, its
/// configuration deploy/rabbitmq/rabbitmq.conf plus its own listeners. The hub's node (the AppHost's broker, and
/// ./lgsp broker) and the test nodes (./lgsp test) differ only by name, folder and ports.
/// </summary>
public sealed record BrokerNode(string Name, string Directory, int AmqpPort, int DistributionPort, int ManagementPort)
{
    public const string BinDirectory = "/usr/lib/rabbitmq/bin";
    public static readonly string Server = Path.Combine(BinDirectory, "rabbitmq-server");

    /// <summary>lgsp@localhost, the hub's node, in &lt;state&gt;/broker.</summary>
    public static BrokerNode Hub(string stateDirectory) => new("lgsp", Path.Combine(stateDirectory, "broker"), 5673, 25673, 15673);

    /// <summary>lgsp-test@localhost, a fresh node for each run of the tests, in &lt;state&gt;/test-broker.</summary>
    public static BrokerNode Test(string stateDirectory) => new("lgsp-test", Path.Combine(stateDirectory, "test-broker"), 5674, 25674, 15674);

    /// <summary>
    /// lgsp-outage@localhost, the outage tests' own fresh node, in &lt;state&gt;/outage-broker: they kill, stop and start it
    /// under load while every other test keeps the test node.
    /// </summary>
    public static BrokerNode Outage(string stateDirectory) => new("lgsp-outage", Path.Combine(stateDirectory, "outage-broker"), 5675, 25675, 15675);

    /// <summary>The nodes ./lgsp broker acts on, by the name its --node option takes.</summary>
    public static IReadOnlyDictionary<string, BrokerNode> ByRole(string stateDirectory) => new Dictionary<string, BrokerNode>(StringComparer.Ordinal)
    {
        ["hub"] = Hub(stateDirectory),
        ["test"] = Test(stateDirectory),
        ["outage"] = Outage(stateDirectory),
    };

    public string NodeName => $"{Name}@localhost";

    public string AmqpUrl => $"amqp://guest:guest@127.0.0.1:{AmqpPort}/";

    public string ManagementUrl => $"http://guest:guest@127.0.0.1:{ManagementPort}";

    /// <summary>The node's pid file, which rabbitmq-server writes once its Erlang VM runs.</summary>
    public string PidFile => Path.Combine(Directory, "rabbitmq.pid");

    public string LogFile => Path.Combine(Directory, "log", NodeName + ".log");

    /// <summary>What the node and its command-line tools (rabbitmqctl, rabbitmq-diagnostics) need in their environment.</summary>
    public IReadOnlyDictionary<string, string> Environment
    {
        get
        {
            const string loopbackOnly = "-kernel inet_dist_use_interface {127,0,0,1}";
            return new Dictionary<string, string>(StringComparer.Ordinal)
            {
                ["RABBITMQ_NODENAME"] = NodeName,
                ["RABBITMQ_NODE_IP_ADDRESS"] = "127.0.0.1",
                ["RABBITMQ_NODE_PORT"] = AmqpPort.ToString(CultureInfo.InvariantCulture),
                ["RABBITMQ_DIST_PORT"] = DistributionPort.ToString(CultureInfo.InvariantCulture),
                ["RABBITMQ_MNESIA_BASE"] = Path.Combine(Directory, "mnesia"),
                ["RABBITMQ_LOG_BASE"] = Path.Combine(Directory, "log"),
                ["RABBITMQ_PID_FILE"] = PidFile,
                ["RABBITMQ_CONFIG_FILE"] = Path.Combine(Directory, "rabbitmq.conf"),
                // Absent on purpose; an empty env file keeps /etc/rabbitmq out.
                ["RABBITMQ_ADVANCED_CONFIG_FILE"] = Path.Combine(Directory, "advanced.config"),
                ["RABBITMQ_CONF_ENV_FILE"] = Path.Combine(Directory, "rabbitmq-env.conf"),
                ["RABBITMQ_ENABLED_PLUGINS_FILE"] = Path.Combine(Directory, "enabled_plugins"),
                ["RABBITMQ_PLUGINS_EXPAND_DIR"] = Path.Combine(Directory, "plugins-expand"),
                ["ERL_EPMD_ADDRESS"] = "127.0.0.1",
                ["RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS"] = loopbackOnly,
                ["RABBITMQ_CTL_ERL_ARGS"] = loopbackOnly,
            };
        }
    }

    /// <summary>The node's folders, its rabbitmq.conf (the repository's plus its listeners) and the Erlang cookie.</summary>
    public void Prepare(string repositoryRoot)
    {
        var baseDirectory = Path.Combine(repositoryRoot, "deploy", "rabbitmq");
        System.IO.Directory.CreateDirectory(Path.Combine(Directory, "mnesia"));
        System.IO.Directory.CreateDirectory(Path.Combine(Directory, "log"));
        var configuration = new StringBuilder()
            .AppendLine("# written from deploy/rabbitmq/rabbitmq.conf for this node; do not edit")
            .AppendLine(File.ReadAllText(Path.Combine(baseDirectory, "rabbitmq.conf")))
            .AppendLine("# this node's listeners")
            .AppendLine(CultureInfo.InvariantCulture, $"listeners.tcp.default = 127.0.0.1:{AmqpPort}")
            .AppendLine("management.tcp.ip = 127.0.0.1")
            .AppendLine(CultureInfo.InvariantCulture, $"management.tcp.port = {ManagementPort}");
        File.WriteAllText(Path.Combine(Directory, "rabbitmq.conf"), configuration.ToString());
        File.Copy(Path.Combine(baseDirectory, "enabled_plugins"), Path.Combine(Directory, "enabled_plugins"), overwrite: true);
        File.WriteAllText(Path.Combine(Directory, "rabbitmq-env.conf"), "");
        EnsureErlangCookie();
    }

    /// <summary>
    /// The node and its command-line tools share ~/.erlang.cookie; made once, readable by its owner only, before the
    /// node starts. Written aside and moved into place, never over one that exists: of two nodes starting together
    /// (./lgsp test starts two), the second keeps the first's cookie, complete.
    /// </summary>
    private static void EnsureErlangCookie()
    {
        var cookie = Path.Combine(System.Environment.GetFolderPath(System.Environment.SpecialFolder.UserProfile), ".erlang.cookie");
        if (File.Exists(cookie) && new FileInfo(cookie).Length > 0)
            return;
        var aside = $"{cookie}.{System.Environment.ProcessId}.{Guid.NewGuid():N}";
        File.WriteAllText(aside, Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(10)));
        if (!OperatingSystem.IsWindows())
            File.SetUnixFileMode(aside, UnixFileMode.UserRead);
        try
        {
            if (File.Exists(cookie) && new FileInfo(cookie).Length == 0)
                File.Delete(cookie);
            File.Move(aside, cookie, overwrite: false);
        }
        catch (IOException) when (File.Exists(cookie))
        {
            File.Delete(aside);   // another start made it first
        }
    }
}
