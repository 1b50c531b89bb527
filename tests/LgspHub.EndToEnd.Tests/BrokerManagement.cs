using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace LgspHub.EndToEnd.Tests;

/// <summary>A test broker's management API, and fresh virtual hosts on it: a broker on which nothing has run yet.</summary>
public sealed class BrokerManagement : IDisposable
{
    private readonly TestBroker _broker;
    private readonly HttpClient _http;

    public BrokerManagement(TestBroker broker)
    {
        _broker = broker;
        var url = broker.ManagementUrl;
        _http = new HttpClient { BaseAddress = new Uri(url.GetLeftPart(UriPartial.Authority)), Timeout = TimeSpan.FromSeconds(20) };
        if (!string.IsNullOrEmpty(url.UserInfo))
            _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(Uri.UnescapeDataString(url.UserInfo))));
    }

    /// <summary>Creates an empty virtual host the broker's user may use, and returns its AMQP URL.</summary>
    public async Task<Uri> CreateVirtualHostAsync(string name)
    {
        (await _http.PutAsJsonAsync($"/api/vhosts/{name}", new { })).EnsureSuccessStatusCode();
        var user = Uri.UnescapeDataString(_broker.Url.UserInfo.Split(':')[0]);
        (await _http.PutAsJsonAsync($"/api/permissions/{name}/{user}", new { configure = ".*", write = ".*", read = ".*" })).EnsureSuccessStatusCode();
        return new Uri(_broker.Url, name);
    }

    public async Task DeleteVirtualHostAsync(string name) => await _http.DeleteAsync($"/api/vhosts/{name}");

    public async Task DeleteQueueAsync(string virtualHost, string queue) =>
        (await _http.DeleteAsync($"/api/queues/{Uri.EscapeDataString(virtualHost)}/{queue}")).EnsureSuccessStatusCode();

    /// <summary>The queue as the management API shows it, or null when it does not exist.</summary>
    public async Task<JsonElement?> QueueAsync(string virtualHost, string queue)
    {
        var response = await _http.GetAsync($"/api/queues/{Uri.EscapeDataString(virtualHost)}/{queue}");
        if (response.StatusCode == System.Net.HttpStatusCode.NotFound)
            return null;
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    public void Dispose() => _http.Dispose();
}
