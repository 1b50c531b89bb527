using LgspHub.Cli.Machine;

namespace LgspHub.Cli.Testing;

/// <summary>
/// The validators the contract tests run over the served documents: tools/contract-lint (the AsyncAPI parser, Spectral)
/// at the versions its package-lock.json pins, installed again only when the lock changes; and the .NET tools of
/// .config/dotnet-tools.json (Kiota, which generates a client from them).
/// </summary>
internal static class ContractLint
{
    public static async Task EnsureAsync(HubRepository layout)
    {
        var toolsLog = Path.Combine(layout.Logs, "dotnet-tools.log");
        if (await Processes.RunLoggedAsync("dotnet", ["tool", "restore"], toolsLog, layout.Root) != 0)
        {
            Say.LogTail(toolsLog, 20);
            throw new CliException($"dotnet tool restore failed (see {toolsLog})");
        }
        var directory = Path.Combine(layout.Root, "tools", "contract-lint");
        var installed = new FileInfo(Path.Combine(directory, "node_modules", ".package-lock.json"));
        if (installed.Exists && installed.LastWriteTimeUtc >= File.GetLastWriteTimeUtc(Path.Combine(directory, "package-lock.json")))
            return;
        Say.Info("installing the contract validators (npm ci in tools/contract-lint)...");
        var log = Path.Combine(layout.Logs, "contract-lint.log");
        if (await Processes.RunLoggedAsync("npm", ["ci", "--no-audit", "--no-fund", "--ignore-scripts"], log, directory) != 0)
        {
            Say.LogTail(log, 20);
            throw new CliException($"npm ci in tools/contract-lint failed (see {log})");
        }
    }
}
