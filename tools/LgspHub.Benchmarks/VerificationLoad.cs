using System.Diagnostics;
using System.Net;
using System.Text.Json;
using HdrHistogram;
using LgspHub.Seeding;

namespace LgspHub.Benchmarks;

/// <summary>One open-model run against one agency: latencies from each request's intended send time.</summary>
public sealed record OfferResult(int Sent, int Failed, double P50Ms, double P99Ms, double MaxMs);

/// <summary>Identity verification offered at a fixed rate (an open model: the agency's slowness does not slow the offer).</summary>
public static class VerificationLoad
{
    /// <summary>Requests for identities that exist, picked uniformly over the whole seed so a large one is read all over.</summary>
    public static byte[][] Pool(int citizens, int count, int seed)
    {
        var province = new SyntheticProvince(new SeedOptions { Citizens = citizens });
        var random = new Random(seed);
        return Enumerable.Range(0, count).Select(_ =>
        {
            var citizen = province.Citizen(random.Next(citizens));
            return JsonSerializer.SerializeToUtf8Bytes(new
            {
                personalId = citizen.PersonalId.Value,
                fullName = citizen.FullName,
                dateOfBirth = citizen.DateOfBirth.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
            });
        }).ToArray();
    }

    public static async Task<OfferResult> OfferAsync(HttpClient client, Uri agency, byte[][] pool, int rate, TimeSpan duration)
    {
        var url = new Uri(agency, "/api/population/identity-verifications");
        var total = (int)(rate * duration.TotalSeconds);
        // Microseconds, up to a minute (requests time out after 10 s).
        var histogram = new LongHistogram(1, 60_000_000, 3);
        var failed = 0;
        var sends = new List<Task>(total);
        var start = Stopwatch.GetTimestamp();
        for (var i = 0; i < total; i++)
        {
            var intended = start + i * Stopwatch.Frequency / rate;
            var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), intended);
            if (wait > TimeSpan.FromMilliseconds(1))
                await Task.Delay(wait);
            // Sent up to a timer tick early at worst: then timed from when it went.
            sends.Add(SendAsync(pool[i % pool.Length], Math.Max(intended, Stopwatch.GetTimestamp())));
        }
        // Every request ends within the client's timeout, so this wait is bounded.
        await Task.WhenAll(sends);
        return new OfferResult(total, failed, Ms(histogram.GetValueAtPercentile(50)), Ms(histogram.GetValueAtPercentile(99)), Ms(histogram.GetMaxValue()));

        async Task SendAsync(byte[] body, long from)
        {
            var ok = false;
            try
            {
                using var content = new ByteArrayContent(body);
                content.Headers.ContentType = new("application/json");
                using var response = await client.PostAsync(url, content);
                // Every identity in the pool exists: anything but a match is a failure.
                ok = response.StatusCode == HttpStatusCode.OK
                    && (await response.Content.ReadAsStringAsync()).Contains("\"matches\":true", StringComparison.Ordinal);
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
            }
            // From when it should have been sent: a request held up behind a slow one is counted as slow (no coordinated omission).
            var latency = Math.Clamp(Stopwatch.GetElapsedTime(from).Ticks / 10, 1, 60_000_000);
            lock (histogram)
            {
                histogram.RecordValue(latency);
                if (!ok)
                    failed++;
            }
        }
    }

    private static double Ms(long microseconds) => microseconds / 1_000.0;
}
