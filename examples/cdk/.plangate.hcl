# plangate's configuration for a CDK repository.
#
# CloudFormation templates are generated (cdk synth writes them to cdk.out/,
# which is not committed), so plangate cannot find the template line that
# declares a resource. It then attributes a destroy to every commit in the
# pull request that changed an infrastructure file, and the default list of
# those (*.tf, *.template.yaml, cdk.json, ...) does not know a CDK app's
# sources. Name them here; without this, such destroys have no commit to
# blame, count as `unknown`, and are judged as if an agent wrote them.
attribution {
  infrastructure = [
    "bin/**/*.ts",
    "lib/**/*.ts",
    "cdk.json",
    "package.json",
    "package-lock.json",
  ]
}
