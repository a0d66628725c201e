// Package managers as rules use them (model/packages.hpp): the installs of RUN
// scripts and the manager a step added to a stage would install with.
#include <gtest/gtest.h>

#include "built.hpp"
#include "model/packages.hpp"

using namespace dockmend;
using model::PackageManager;
using test::Built;

namespace {

PackageManager installing(const std::string& text, bool* guessed = nullptr) {
  Built b(text);
  return model::installing_manager(b.model, b.model.shipped(), guessed);
}

}  // namespace

TEST(ModelPackages, InstallingManager) {
  bool guessed = true;
  EXPECT_EQ(installing("FROM x\nRUN apk add curl\n", &guessed), PackageManager::Apk);
  EXPECT_FALSE(guessed);
  // Another stage's package command says what the file uses.
  EXPECT_EQ(installing("FROM x AS a\nRUN microdnf install y\nFROM x\n", &guessed), PackageManager::Microdnf);
  EXPECT_FALSE(guessed);
  // The chain's root first.
  EXPECT_EQ(installing("FROM x AS a\nRUN apk add y\nFROM a\nRUN apt-get install z\n"), PackageManager::Apk);
  EXPECT_EQ(installing("FROM alpine:3.20\n", &guessed), PackageManager::Apk);
  EXPECT_TRUE(guessed);
  EXPECT_EQ(installing("FROM registry.access.redhat.com/ubi9/ubi-minimal\n"), PackageManager::Microdnf);
  EXPECT_EQ(installing("FROM fedora:40\n"), PackageManager::Dnf);
  EXPECT_EQ(installing("FROM gcr.io/distroless/base\n"), PackageManager::None);
  EXPECT_EQ(installing("FROM scratch\n"), PackageManager::None);
  // A Windows stage (told by its choco) has none, whatever a later RUN names.
  EXPECT_EQ(installing("FROM stefanscherer/chocolatey\nRUN choco install -y cygwin\nRUN apt-get install -y tini\n"),
            PackageManager::None);
  // A runtime whose base has none has none, whatever the builder stage runs
  // (dotnet-docker's chiseled runtime-deps: buildpack-deps builder, FROM scratch).
  EXPECT_EQ(installing("FROM buildpack-deps:noble-curl AS chisel\nRUN apt-get update\nFROM scratch\n"),
            PackageManager::None);
  EXPECT_EQ(installing("FROM golang:1.22 AS build\nRUN apt-get install -y git\nFROM gcr.io/distroless/static\n"),
            PackageManager::None);
  // The base image's name comes before another stage's command.
  EXPECT_EQ(installing("FROM alpine AS build\nRUN apk add git\nFROM debian:bookworm\n", &guessed), PackageManager::Apt);
  EXPECT_TRUE(guessed);
  EXPECT_EQ(installing("FROM ubuntu\n"), PackageManager::Apt);
  // Nothing says: apt-get, guessed.
  EXPECT_EQ(installing("FROM registry.example/base\n", &guessed), PackageManager::Apt);
  EXPECT_TRUE(guessed);
  EXPECT_STREQ(model::package_command(PackageManager::Apt), "apt-get");
  EXPECT_EQ(model::install_command(PackageManager::Apk, {"tini", "curl"}), "apk add --no-cache tini curl");
}

TEST(ModelPackages, InstallsAndTheirPackageWords) {
  Built b("FROM x\nRUN apt-get update && apt-get install -y -o Dpkg::Options=x curl \\\n  git\n"
          "RUN apk add --no-cache tini && zypper in -y jq\n");
  std::vector<const model::Run*> runs;
  for (const auto& r : b.model.runs()) runs.push_back(&r);
  const auto installs = model::package_installs(runs);
  ASSERT_EQ(installs.size(), 3u);
  ASSERT_EQ(installs[0].packages.size(), 2u);
  const auto& words = installs[0].run->script.commands[installs[0].command].words;
  EXPECT_EQ(words[installs[0].packages[1]].value, "git");
  EXPECT_EQ(b.tree.text(installs[0].run->source(b.tree, words[installs[0].packages[1]].span)), "git");
  EXPECT_EQ(installs[1].manager, PackageManager::Apk);
  EXPECT_EQ(installs[2].manager, PackageManager::Zypper);
  EXPECT_EQ(installs[2].run->script.commands[installs[2].command].words[installs[2].packages[0]].value, "jq");
}
