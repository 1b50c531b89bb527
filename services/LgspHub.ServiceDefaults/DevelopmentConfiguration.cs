using System.Text.RegularExpressions;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;

namespace LgspHub.ServiceDefaults;

/// <summary>
/// appsettings.Development.json holds what a development hub on 127.0.0.1 runs with: the consumers whose secrets
/// the README prints, the subject key, the agencies' keys. ASP.NET Core loads it in the Development environment
/// only (<c>./lgsp up</c>, the tests and the benches set it); every other environment must bring secrets of its
/// own, and a host refuses to start when it finds one of the development file's secrets in its configuration.
/// </summary>
public static partial class DevelopmentConfiguration
{
    public const string FileName = "appsettings.Development.json";

    /// <summary>Outside Development: stop with the keys (never the values) that hold a secret of <see cref="FileName"/>.</summary>
    public static IHostApplicationBuilder RefuseDevelopmentSecrets(this IHostApplicationBuilder builder)
    {
        if (builder.Environment.IsDevelopment())
            return builder;
        // Published with the host (the image carries it), read here only to recognise its values.
        var file = Path.Combine(builder.Environment.ContentRootPath, FileName);
        if (!File.Exists(file))
            return builder;
        var secrets = new ConfigurationBuilder().AddJsonFile(file, optional: false, reloadOnChange: false).Build().AsEnumerable()
            .Where(setting => setting.Value is { Length: > 0 } && IsSecret(setting.Key))
            .Select(setting => setting.Value!)
            .ToHashSet(StringComparer.Ordinal);
        var found = builder.Configuration.AsEnumerable()
            .Where(setting => setting.Value is { } value && secrets.Contains(value))
            .Select(setting => setting.Key)
            .Order(StringComparer.Ordinal)
            .ToList();
        if (found.Count > 0)
            throw new InvalidOperationException(
                $"This host runs in the {builder.Environment.EnvironmentName} environment with development secrets, published with the code in {FileName}: " +
                $"{string.Join(", ", found)}. Set secrets of your own (deploy/README.md), or run it in Development.");
        return builder;
    }

    /// <summary>Outside Development: stop when a setting is unset, saying why the host needs it.</summary>
    public static IHostApplicationBuilder RequireOutsideDevelopment(this IHostApplicationBuilder builder, params (string Key, string Why)[] settings)
    {
        if (builder.Environment.IsDevelopment())
            return builder;
        var missing = settings.Where(setting => string.IsNullOrWhiteSpace(builder.Configuration[setting.Key])).Select(setting => $"{setting.Key} ({setting.Why})").ToList();
        if (missing.Count > 0)
            throw new InvalidOperationException(
                $"This host refuses to start in the {builder.Environment.EnvironmentName} environment without: {string.Join("; ", missing)}. " +
                "deploy/README.md says how to set them.");
        return builder;
    }

    /// <summary>A key, a secret or its hash, a password: by the name of any segment of the setting's key.</summary>
    public static bool IsSecret(string key) => key.Split(':').Any(segment => SecretName().IsMatch(segment));

    [GeneratedRegex("(Key|Keys|Secret|SecretHash|Password)$", RegexOptions.IgnoreCase)]
    private static partial Regex SecretName();
}
