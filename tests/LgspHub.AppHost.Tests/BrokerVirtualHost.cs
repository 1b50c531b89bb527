using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;

namespace LgspHub.AppHost.Tests;

/// <summary>
/// A virtual host of its own on the suite's broker (LGSP_RABBITMQ_URL, which ./lgsp test starts), so that the hub this
/// test runs never takes the messages of the end-to-end tests' hub, whose queues have the same names. Deleted after.
/// </summary>
public sealed class BrokerVirtualHost : IAsyncDisposable
{
    private readonly HttpClient _management;
    private readonly string _name;

    private BrokerVirtualHost(HttpClient management, string name, Uri amqp, Uri managementUrl)
    {
        _management = management;
        _name = name;
        Url = new UriBuilder(amqp) { Path = "/" + Uri.EscapeDataString(name) }.Uri.ToString();
        ManagementUrl = managementUrl.ToString();
    }

    /// <summary>The AMQP URL of the virtual host, with the suite's broker user.</summary>
    public string Url { get; }

    public string ManagementUrl { get; }

    public static async Task<BrokerVirtualHost> CreateAsync(CancellationToken cancellationToken)
    {
        var amqp = new Uri(Required("LGSP_RABBITMQ_URL"));
        var management = new Uri(Required("LGSP_RABBITMQ_MANAGEMENT_URL"));
        var user = Uri.UnescapeDataString(amqp.UserInfo.Split(':')[0]);
        var client = new HttpClient { BaseAddress = new Uri(management.GetLeftPart(UriPartial.Authority)) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic",
            Convert.ToBase64String(Encoding.UTF8.GetBytes(Uri.UnescapeDataString(management.UserInfo))));
        var name = $"apphost-test-{Guid.NewGuid():N}";
        (await client.PutAsync($"/api/vhosts/{name}", null, cancellationToken)).EnsureSuccessStatusCode();
        (await client.PutAsJsonAsync($"/api/permissions/{name}/{Uri.EscapeDataString(user)}",
            new { configure = ".*", write = ".*", read = ".*" }, cancellationToken)).EnsureSuccessStatusCode();
        return new BrokerVirtualHost(client, name, amqp, management);
    }

    private static string Required(string variable) =>
        Environment.GetEnvironmentVariable(variable) is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException($"{variable} is not set: run the suite with ./lgsp test, which starts a RabbitMQ broker.");

    public async ValueTask DisposeAsync()
    {
        using (_management)
            await _management.DeleteAsync($"/api/vhosts/{_name}");
    }
}
