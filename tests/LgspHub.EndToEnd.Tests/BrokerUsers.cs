using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace LgspHub.EndToEnd.Tests;

/// <summary>
/// The agencies' broker users as deploy/compose/definitions.json defines them (one per agency, each with its own
/// permissions), created on the suite's broker through its management API with passwords of the suite's own: the
/// hub under test joins the bus as a deployment does, each agency as itself.
/// </summary>
public static class BrokerUsers
{
    public static string DefinitionsPath => Path.Combine(HubLayout.RepositoryRoot, "deploy", "compose", "definitions.json");

    /// <returns>Each agency's broker URL: the suite's broker, as that agency's user.</returns>
    public static async Task<IReadOnlyDictionary<string, string>> CreateAsync(Uri broker, Uri management, IEnumerable<string> agencies)
    {
        using var definitions = JsonDocument.Parse(await File.ReadAllTextAsync(DefinitionsPath));
        using var http = new HttpClient { BaseAddress = new Uri(management.GetLeftPart(UriPartial.Authority)), Timeout = TimeSpan.FromSeconds(10) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic",
            Convert.ToBase64String(Encoding.UTF8.GetBytes(Uri.UnescapeDataString(management.UserInfo))));
        var vhost = broker.AbsolutePath is "" or "/" ? "/" : Uri.UnescapeDataString(broker.AbsolutePath.Trim('/'));
        var urls = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var agency in agencies)
        {
            var user = definitions.RootElement.GetProperty("users").EnumerateArray().Single(u => u.GetProperty("name").GetString() == agency);
            var permissions = definitions.RootElement.GetProperty("permissions").EnumerateArray().Single(p => p.GetProperty("user").GetString() == agency);
            var password = Convert.ToHexString(RandomNumberGenerator.GetBytes(16));
            (await http.PutAsJsonAsync($"/api/users/{Uri.EscapeDataString(agency)}",
                new { password, tags = user.GetProperty("tags").GetString() })).EnsureSuccessStatusCode();
            (await http.PutAsJsonAsync($"/api/permissions/{Uri.EscapeDataString(vhost)}/{Uri.EscapeDataString(agency)}", new
            {
                configure = permissions.GetProperty("configure").GetString(),
                write = permissions.GetProperty("write").GetString(),
                read = permissions.GetProperty("read").GetString(),
            })).EnsureSuccessStatusCode();
            urls[agency] = new UriBuilder(broker) { UserName = Uri.EscapeDataString(agency), Password = password }.Uri.ToString();
        }
        return urls;
    }
}
