package resolvers

import (
	"slices"
	"testing"

	"github.com/faregraph/faregraph/graph/model"
)

// TestRepeatedMetadataKeys: metadata arrives as a list of key/value
// pairs, so a key given twice is seen and passed on to be refused
// (issue 8), instead of keeping the last value silently.
func TestRepeatedMetadataKeys(t *testing.T) {
	in := createInput("o", nil, nil, nil, nil, []model.MetadataEntryInput{{Key: "a", Value: "1"}, {Key: "b", Value: "2"}, {Key: "a", Value: "3"}, {Key: "a", Value: "4"}}, nil, nil)
	if !slices.Equal(in.RepeatedMetadataKeys, []string{"a"}) {
		t.Errorf("RepeatedMetadataKeys = %v, want [a]", in.RepeatedMetadataKeys)
	}
	if in := createInput("o", nil, nil, nil, nil, []model.MetadataEntryInput{{Key: "a", Value: "1"}}, nil, nil); in.RepeatedMetadataKeys != nil {
		t.Errorf("RepeatedMetadataKeys = %v, want none", in.RepeatedMetadataKeys)
	}
}
