using LgspHub.Gateway.Access;
using LgspHub.Gateway.Transactions;
using Microsoft.EntityFrameworkCore;

namespace LgspHub.Gateway;

/// <summary>What the gateway's program does besides serving: small commands for operators and auditors.</summary>
public static class GatewayCommands
{
    /// <summary>The command's exit code, or null when the arguments name none (the gateway then serves).</summary>
    public static async Task<int?> RunAsync(string[] args)
    {
        switch (args)
        {
            case ["hash-secret", var secret]:
                // For registering a consumer: prints the hash to put in Lgsp:Consumers:<id>:SecretHash.
                Console.WriteLine(ConsumerSystem.HashSecret(secret));
                return 0;
            case ["new-signing-key"]:
                // For a deployment: a key for Lgsp:Tokens:SigningKey, shared by every gateway of the hub.
                Console.WriteLine(TokenSigningKey.NewKey());
                return 0;
            case ["verify-audit", .. var settings]:
                return await VerifyAuditAsync(settings);
            default:
                return null;
        }
    }

    /// <summary>
    /// Walks the audit's hash chain in the gateway's database (the one the gateway's configuration names, or
    /// <c>--ConnectionStrings:database=...</c>): exit code 0 when intact, 1 naming the first entry altered, removed
    /// or reordered, 2 when the database cannot be read.
    /// </summary>
    private static async Task<int> VerifyAuditAsync(string[] settings)
    {
        var configuration = new ConfigurationBuilder()
            .SetBasePath(AppContext.BaseDirectory)
            .AddJsonFile("appsettings.json", optional: true)
            .AddEnvironmentVariables()
            .AddCommandLine(settings)
            .Build();
        try
        {
            var options = new DbContextOptionsBuilder<GatewayDb>();
            GatewayDb.UseStore(options, configuration);
            await using var db = new GatewayDb(options.Options);
            var result = await AuditChain.VerifyAsync(db);
            Console.WriteLine(result.Intact ? $"audit intact: {result.Message}" : $"audit broken: {result.Message}");
            return result.Intact ? 0 : 1;
        }
        catch (Exception e) when (e is System.Data.Common.DbException or InvalidOperationException)
        {
            Console.Error.WriteLine($"cannot read the audit: {e.Message}");
            return 2;
        }
    }
}
