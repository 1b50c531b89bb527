using System.Net;
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
        await WhileBrokerRestartsAsync(() => client.PutAsync($"/api/vhosts/{name}", null, cancellationToken), cancellationToken);
        await WhileBrokerRestartsAsync(() => client.PutAsJsonAsync($"/api/permissions/{name}/{Uri.EscapeDataString(user)}",
            new { configure = ".*", write = ".*", read = ".*" }, cancellationToken), cancellationToken);
        return new BrokerVirtualHost(client, name, amqp, management);
    }

    private static string Required(string variable) =>
        Environment.GetEnvironmentVariable(variable) is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException($"{variable} is not set: run the suite with ./lgsp test, which starts a RabbitMQ broker.");

    public async ValueTask DisposeAsync()
    {
        using (_management)
        {
            using var deadline = new CancellationTokenSource(BrokerRestart);
            await WhileBrokerRestartsAsync(() => _management.DeleteAsync($"/api/vhosts/{_name}", deadline.Token), deadline.Token);
        }
    }

    /// <summary>The longest the end-to-end tests' broker restarts keep the suite's broker away.</summary>
    private static readonly TimeSpan BrokerRestart = TimeSpan.FromSeconds(90);

    /// <summary>
    /// The end-to-end tests stop and start the suite's broker while this project runs beside them: a call refused then,
    /// or answered 404 (a stopping node's management listener knows no path any more), is made again once the broker is
    /// back, within <see cref="BrokerRestart"/>. The virtual host this class made is never truly not found.
    /// </summary>
    private static async Task WhileBrokerRestartsAsync(Func<Task<HttpResponseMessage>> call, CancellationToken cancellationToken)
    {
        var until = DateTimeOffset.UtcNow + BrokerRestart;
        while (true)
        {
            try
            {
                using var response = await call();
                response.EnsureSuccessStatusCode();
                return;
            }
            catch (HttpRequestException e) when (e.StatusCode is null or HttpStatusCode.NotFound && DateTimeOffset.UtcNow < until)
            {
                // The node is stopping or down. Polled, as the broker tells no one when it is back.
                await Task.Delay(TimeSpan.FromMilliseconds(500), cancellationToken);
            }
        }
    }
}
