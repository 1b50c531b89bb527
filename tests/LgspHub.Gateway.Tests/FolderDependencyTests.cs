using System.Text.RegularExpressions;
using LgspHub.LocalHub;

namespace LgspHub.Gateway.Tests;

/// <summary>
/// The gateway's folders own their behaviour and build on one another in one direction only: Requests (what a request
/// is: its operation, its consumer) under Transactions (records, audit), under Access (tokens, rights, purpose), under
/// Proxy (YARP's additions), under Operations (/ops, the collector). A folder naming one above it (a using, or a
/// qualified name) is a cycle in the making.
/// </summary>
public sealed partial class FolderDependencyTests
{
    private static readonly string[] Layers = ["Requests", "Transactions", "Access", "Proxy", "Operations"];

    [Fact]
    public void No_folder_of_the_gateway_refers_to_a_folder_above_it()
    {
        var gateway = HubRepository.Find().Gateway.ProjectDirectory;
        var found = new List<string>();
        foreach (var (folder, level) in Layers.Select((f, i) => (f, i)))
            foreach (var file in Directory.EnumerateFiles(Path.Combine(gateway, folder), "*.cs", SearchOption.AllDirectories))
                foreach (Match reference in GatewayNamespace().Matches(File.ReadAllText(file)))
                    if (Array.IndexOf(Layers, reference.Groups[1].Value) > level)
                        found.Add($"{folder}/{Path.GetFileName(file)} refers to {reference.Groups[1].Value}");

        Assert.Empty(found);
    }

    [GeneratedRegex(@"LgspHub\.Gateway\.(\w+)")]
    private static partial Regex GatewayNamespace();
}
