using System.Diagnostics;
using System.Text.RegularExpressions;
using LgspHub.ServiceDefaults;

namespace LgspHub.Deploy.Tests;

/// <summary>
/// The secrets of a deployment as deploy/tools/new-secrets.py makes them: compose reads them from deploy/.env, and
/// Kubernetes from the Secret lgsp-hub-secrets (its keys are the same names). The files under deploy/ hold none.
/// </summary>
internal static partial class Secrets
{
    public const string KubernetesSecret = "lgsp-hub-secrets";

    /// <summary>One run of the generator: what an operator would put in deploy/.env.</summary>
    public static readonly IReadOnlyDictionary<string, string> Generated = Run();

    /// <summary>A setting whose value is a secret, by the rule the hosts apply to their own configuration.</summary>
    public static bool IsSecretSetting(string variable) => DevelopmentConfiguration.IsSecret(variable.Replace("__", ":", StringComparison.Ordinal));

    /// <summary>The password of a URL's user information, if it has one.</summary>
    public static string? PasswordIn(string value) =>
        UrlPassword().Match(value) is { Success: true } m ? m.Groups[1].Value : null;

    private static Dictionary<string, string> Run()
    {
        var start = new ProcessStartInfo("python3", [Repo.PathOf("deploy", "tools", "new-secrets.py")]) { RedirectStandardOutput = true };
        using var process = Process.Start(start) ?? throw new InvalidOperationException("new-secrets.py did not start");
        var output = process.StandardOutput.ReadToEnd();
        if (!process.WaitForExit(TimeSpan.FromSeconds(60)) || process.ExitCode != 0)
            throw new InvalidOperationException($"new-secrets.py failed:\n{output}");
        return output.Split('\n').Where(l => l.Length > 0 && !l.StartsWith('#')).Select(l => l.Split('=', 2))
            .ToDictionary(p => p[0], p => p[1], StringComparer.Ordinal);
    }

    [GeneratedRegex(@"^[a-z]+://[^:/@]+:([^@]+)@")]
    private static partial Regex UrlPassword();
}
