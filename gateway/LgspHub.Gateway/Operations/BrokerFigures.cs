using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Options;
using LgspHub.Contracts;

namespace LgspHub.Gateway.Operations;

public sealed record QueueFigures(string Agency, string Queue, long Messages, int Consumers, long ErrorMessages);

public sealed record BrokerFigures(bool Available, string? Problem, IReadOnlyList<QueueFigures> Queues);

/// <summary>Queue depths, consumers and error-queue counts per agency, from RabbitMQ's management API.</summary>
public sealed class BrokerClient(HttpClient http, IOptions<OpsOptions> options)
{

    public async Task<BrokerFigures> GetAsync(CancellationToken cancellationToken)
    {
        var management = new Uri(options.Value.BrokerManagementUrl);
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(management, "/api/queues?columns=name,messages,consumers"));
        if (!string.IsNullOrEmpty(management.UserInfo))
            request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(Uri.UnescapeDataString(management.UserInfo))));
        try
        {
            using var response = await http.SendAsync(request, cancellationToken);
            response.EnsureSuccessStatusCode();
            var queues = await response.Content.ReadFromJsonAsync<Queue[]>(cancellationToken) ?? [];
            var errors = queues.Where(q => q.Name.EndsWith("_error", StringComparison.Ordinal)).ToDictionary(q => q.Name[..^6], q => q.Messages);
            return new BrokerFigures(true, null, queues
                .Where(q => !q.Name.EndsWith("_error", StringComparison.Ordinal) && !q.Name.EndsWith("_skipped", StringComparison.Ordinal))
                .Select(q => (q, agency: HubAgencies.OwnerOf(q.Name)))
                .Where(x => x.agency is not null)
                .Select(x => new QueueFigures(x.agency!, x.q.Name, x.q.Messages, x.q.Consumers, errors.GetValueOrDefault(x.q.Name)))
                .OrderBy(q => q.Queue, StringComparer.Ordinal)
                .ToList());
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or System.Text.Json.JsonException or Polly.ExecutionRejectedException)
        {
            return new BrokerFigures(false, $"The broker's management API did not answer at {management.GetLeftPart(UriPartial.Authority).Replace(management.UserInfo + "@", "", StringComparison.Ordinal)}.", []);
        }
    }

    private sealed record Queue([property: JsonPropertyName("name")] string Name, [property: JsonPropertyName("messages")] long Messages, [property: JsonPropertyName("consumers")] int Consumers);
}
