using System.Text.Json;

namespace LgspHub.LocalHub;

/// <summary>One host of the hub: its name (the gateway's cluster's, for an agency) and its project folder; its port and development settings are its project's own.</summary>
public sealed record HubHost(string Name, string ProjectDirectory)
{
    public const string GatewayName = "gateway";

    /// <summary>Its project's name, which is its assembly's and its service.name on spans: LgspHub.CivilStatus.</summary>
    public string ProjectName => Path.GetFileName(ProjectDirectory);

    public string ProjectFile => Path.Combine(ProjectDirectory, ProjectName + ".csproj");

    /// <summary>Where `dotnet build -c <paramref name="configuration"/>` puts it.</summary>
    public string BuildDirectory(string configuration = "Release") => Path.Combine(ProjectDirectory, "bin", configuration, "net10.0");

    public string Dll(string configuration = "Release") => Path.Combine(BuildDirectory(configuration), ProjectName + ".dll");

    /// <summary>The port of its http launch profile (Properties/launchSettings.json): where `dotnet run` and the AppHost run its first instance.</summary>
    public int Port
    {
        get
        {
            var file = Path.Combine(ProjectDirectory, "Properties", "launchSettings.json");
            using var document = JsonDocument.Parse(File.ReadAllText(file));
            var url = document.RootElement.GetProperty("profiles").GetProperty("http").GetProperty("applicationUrl").GetString()
                ?? throw new InvalidOperationException($"no profiles.http.applicationUrl in {file}");
            return new Uri(url.Split(';')[0]).Port;
        }
    }

    /// <summary>Further instances listen 10 ports up each: population-2 on 5111.</summary>
    public int InstancePort(int instance) => Port + 10 * (instance - 1);

    /// <summary>The resource of its n-th instance: population, population-2, …</summary>
    public string InstanceName(int instance) => instance == 1 ? Name : $"{Name}-{instance}";

    /// <summary>Whether <paramref name="instance"/> is the name of one of its instances (<see cref="InstanceName"/>).</summary>
    public bool HasInstance(string instance) =>
        instance == Name || (instance.Length > Name.Length + 1 && instance.StartsWith(Name + "-", StringComparison.Ordinal) && instance[(Name.Length + 1)..].All(char.IsAsciiDigit));

    public Uri Url => new($"http://127.0.0.1:{Port}/");

    /// <summary>A setting of its appsettings.Development.json, <paramref name="key"/> as the code names it ("Lgsp:Access:GatewayKey"); null when it has none.</summary>
    public string? DevelopmentSetting(string key)
    {
        var file = Path.Combine(ProjectDirectory, "appsettings.Development.json");
        using var document = JsonDocument.Parse(File.ReadAllText(file), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip });
        var element = document.RootElement;
        foreach (var part in key.Split(':'))
            if (element.ValueKind != JsonValueKind.Object || !element.TryGetProperty(part, out element))
                return null;
        return element.ToString();
    }
}
