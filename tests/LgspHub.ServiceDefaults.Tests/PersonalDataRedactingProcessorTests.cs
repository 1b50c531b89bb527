using System.Diagnostics;

namespace LgspHub.ServiceDefaults.Tests;

public class PersonalDataRedactingProcessorTests
{
    [Fact]
    public void Personal_ids_in_urls_and_names_never_leave_the_process()
    {
        using var activity = new Activity("GET /api/population/citizens/049085000123");
        activity.SetTag("url.path", "/api/population/citizens/049085000123");
        activity.SetTag("url.full", "http://127.0.0.1:5101/api/land/owners/049085000123/parcels");
        activity.SetTag("url.query", "?name=Nguy%E1%BB%85n");
        activity.SetTag("http.route", "/api/population/citizens/{personalId}");

        new PersonalDataRedactingProcessor().OnEnd(activity);

        Assert.Equal("/api/population/citizens/{redacted}", activity.GetTagItem("url.path"));
        Assert.Equal("http://127.0.0.1:5101/api/land/owners/{redacted}/parcels", activity.GetTagItem("url.full"));
        Assert.Equal("{redacted}", activity.GetTagItem("url.query"));
        Assert.Equal("/api/population/citizens/{personalId}", activity.GetTagItem("http.route"));
        Assert.DoesNotContain("049085000123", activity.DisplayName, StringComparison.Ordinal);
    }

    [Fact]
    public void Ports_and_short_numbers_are_left_alone()
    {
        using var activity = new Activity("GET");
        activity.SetTag("url.full", "http://127.0.0.1:5103/api/land/parcels/20305/12/4411");

        new PersonalDataRedactingProcessor().OnEnd(activity);

        Assert.Equal("http://127.0.0.1:5103/api/land/parcels/20305/12/4411", activity.GetTagItem("url.full"));
    }
}
