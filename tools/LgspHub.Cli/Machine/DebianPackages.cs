namespace LgspHub.Cli.Machine;

/// <summary>What a command needs from the machine, installed from Debian's packages the first time it is missing.</summary>
internal static class DebianPackages
{
    public static readonly (string Package, string File) RabbitMq = ("rabbitmq-server", BrokerNode.Server);
    public static readonly (string Package, string File) Chromium = ("chromium", "/usr/bin/chromium");
    public static readonly (string Package, string File) Prometheus = ("prometheus", "/usr/bin/promtool");
    public static readonly (string Package, string File) Node = ("nodejs", "/usr/bin/node");
    public static readonly (string Package, string File) Npm = ("npm", "/usr/bin/npm");
    public static readonly (string Package, string File) Wrk = ("wrk", "/usr/bin/wrk");
    public static readonly (string Package, string File) Nginx = ("nginx", "/usr/sbin/nginx");
    public static readonly (string Package, string File) PostgreSql = ("postgresql", "/usr/lib/postgresql/15/bin/initdb");

    /// <summary>Installs each package whose file is missing, one installer at a time (up and test started together on a new machine).</summary>
    public static async Task EnsureAsync(HubRepository layout, params (string Package, string File)[] needed)
    {
        if (needed.All(n => File.Exists(n.File)))
            return;
        Directory.CreateDirectory(layout.State);
        // FileShare.None takes an exclusive lock (flock) that another lgsp process waits on.
        using var installing = await LockAsync(Path.Combine(layout.State, "install.lock"), TimeSpan.FromMinutes(5));
        var missing = needed.Where(n => !File.Exists(n.File)).ToList();
        if (missing.Count == 0)
            return;
        var packages = missing.Select(m => m.Package).ToList();
        Say.Info($"installing {string.Join(", ", packages)} (Debian packages)...");
        var log = Path.Combine(layout.Logs, "apt.log");
        // As root directly; otherwise through sudo, which asks for the password on the terminal.
        string[] aptGet = Environment.UserName == "root" ? ["apt-get"] : ["sudo", "apt-get"];
        var environment = new Dictionary<string, string> { ["DEBIAN_FRONTEND"] = "noninteractive" };
        if (await Processes.RunLoggedAsync(aptGet[0], [.. aptGet[1..], "update", "-qq"], log, environment: environment) != 0
            || await Processes.RunLoggedAsync(aptGet[0], [.. aptGet[1..], "install", "-y", "-qq", .. packages], log, environment: environment) != 0)
        {
            Say.LogTail(log, 20);
            throw new CliException($"apt-get could not install {string.Join(", ", packages)} (see {log})");
        }
        foreach (var (package, file) in missing.Where(m => !File.Exists(m.File)))
            throw new CliException($"{file} is missing after installing {package}");
    }

    private static async Task<FileStream> LockAsync(string file, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            try
            {
                return new FileStream(file, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(500);
            }
            catch (IOException)
            {
                throw new CliException("timed out waiting for another lgsp to finish installing packages");
            }
        }
    }
}
