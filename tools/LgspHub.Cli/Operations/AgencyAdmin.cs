using System.Net.Http.Json;
using System.Text.Json.Nodes;
using LgspHub.Cli.Hub;
using LgspHub.Cli.Machine;
using LgspHub.ServiceDefaults;

namespace LgspHub.Cli.Operations;

/// <summary>
/// An agency's own /admin (error queues, replay, faults), which asks for the operators' key: LGSP_OPERATOR_KEY, else the
/// development hub's (the key the gateway forwards fault changes with). The gateway does not route /admin.
/// </summary>
internal sealed class AgencyAdmin(HubRepository layout)
{
    public static readonly TimeSpan Timeout = Seconds("LGSP_ADMIN_TIMEOUT", 10);

    /// <summary>Messages move back one by one, up to 10,000 a replay.</summary>
    public static readonly TimeSpan ReplayTimeout = Seconds("LGSP_REPLAY_TIMEOUT", 120);

    private string Key => Environment.GetEnvironmentVariable("LGSP_OPERATOR_KEY") is { Length: > 0 } key
        ? key
        : layout.Gateway.RequiredDevelopmentSetting("Lgsp:AgencyCredentials:OperatorKey");

    public static HubHost Agency(HubRepository layout, string name) =>
        layout.Agencies.FirstOrDefault(a => a.Name == name)
        ?? throw new UsageException($"unknown agency: {name} (expected one of: {string.Join(", ", layout.Agencies.Select(a => a.Name))})");

    public async Task<HubAnswer> SendAsync(HttpMethod method, Uri instance, string path, TimeSpan timeout, JsonObject? body = null, CancellationToken cancellationToken = default)
    {
        using var http = new HttpClient { Timeout = timeout };
        using var request = new HttpRequestMessage(method, new Uri(instance, "/admin/" + path));
        request.Headers.Authorization = AgencyCredentials.Header(AgencyCredentials.OperatorScheme, Key);
        request.Headers.Accept.ParseAdd("application/json");
        if (body is not null)
            request.Content = JsonContent.Create(body);
        return await HubAnswer.SendAsync(http, request, cancellationToken);
    }

    /// <summary>A one-line account of a failed answer.</summary>
    public static string Failure(string agency, Uri instance, HubAnswer answer)
    {
        if (answer.Status is not { } status)
            return $"{agency} did not answer on {instance}admin (is the hub up? ./lgsp up --detach)";
        var problem = answer.Problem();
        if (status == System.Net.HttpStatusCode.Unauthorized)
            problem += " (set LGSP_OPERATOR_KEY to this hub's operator key)";
        return $"{agency} answered HTTP {(int)status}{(problem.Length > 0 ? ": " + problem.Trim() : "")}";
    }

    private static TimeSpan Seconds(string variable, int fallback) =>
        TimeSpan.FromSeconds(int.TryParse(Environment.GetEnvironmentVariable(variable), out var seconds) && seconds > 0 ? seconds : fallback);
}
