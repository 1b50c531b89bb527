namespace LgspHub.LocalHub.Tests;

/// <summary>What a running hub leaves in .lgsp/run/ tells the command line where every instance is (faults reach each one).</summary>
public sealed class HubRunFolderTests
{
    [Fact]
    public void A_running_hub_s_instances_come_from_hub_json_and_an_agency_gets_every_one_of_its_own()
    {
        var state = Directory.CreateTempSubdirectory();
        try
        {
            var repository = new HubRepository(state.FullName);
            var files = repository.Run;
            var land = HubRepository.Find().Host("land");
            Assert.Equal([land.Url], files.UrlsOf(land));

            Directory.CreateDirectory(files.Directory);
            File.WriteAllText(files.ReadyFile, """{"hosts":{"gateway":"http://127.0.0.1:5080","land":"http://127.0.0.1:5103","land-2":"http://127.0.0.1:5113","land-registry":"http://127.0.0.1:9"}}""");
            Assert.Equal([new Uri("http://127.0.0.1:5103"), new Uri("http://127.0.0.1:5113")], files.UrlsOf(land));

            // Half written (the AppHost writing it as it is read): not ready yet.
            File.WriteAllText(files.ReadyFile, """{"hosts":{"gateway":""");
            Assert.False(files.Ready);
        }
        finally
        {
            state.Delete(recursive: true);
        }
    }
}
